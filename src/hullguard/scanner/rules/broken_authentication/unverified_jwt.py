"""JWT decoded without verifying its signature."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules._code_flow import CodeFlowRule


class UnverifiedJwt(CodeFlowRule):
    id = "HG-AUTH-005"
    flow_kind = "jwt-unverified"
    severity = Severity.HIGH
    risk = "broken-authentication"
    title = "JWT decoded without verifying its signature"
    description = (
        "The code reads a JSON Web Token's claims without checking the signature (jwt.decode with verify_signature "
        "off, jsonwebtoken decode()): anyone can forge a token with any identity."
    )
    remediation = (
        "Verify tokens with the issuer's keys (jwt.decode(token, key, algorithms=[...]) / jwt.verify) or use an API"
        " Gateway JWT/Cognito authorizer."
    )
    references = ("https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html",)
