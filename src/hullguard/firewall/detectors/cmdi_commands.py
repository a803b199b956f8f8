"""Command vocabulary for the command injection detector: which words run programs an attacker wants,
and which arguments look like a shell command line rather than prose.
"""

from __future__ import annotations

import re

# PowerShell's cmdlets are Verb-Noun pairs that no sentence writes; the recon ones need no argument
# ("; Get-Process"), the others an argument as any command does ("; Start-Sleep -s 5"). PowerShell
# reads them in any letter case.
POWERSHELL_RECON = frozenset(
    {
        "get-process", "get-childitem", "get-service", "get-localuser", "get-localgroup", "get-computerinfo",
        "get-netipconfiguration", "get-netipaddress", "get-help", "get-command", "get-host", "get-acl",
    }
)
POWERSHELL_WITH_ARGUMENTS = frozenset(
    {
        "start-sleep", "get-content", "set-content", "add-content", "out-file", "remove-item", "copy-item",
        "new-item", "start-process", "invoke-command", "invoke-item", "new-object", "test-connection",
        "test-netconnection", "resolve-dnsname", "set-executionpolicy", "get-itemproperty", "get-wmiobject",
        "get-ciminstance", "invoke-wmimethod", "stop-process", "start-bitstransfer",
    }
)
# Commands that are an attack on their own right after a separator (recon one-liners). None of them
# is an everyday English word, so "; id" or "| whoami" is enough.
STANDALONE = frozenset(
    {
        "id",
        "whoami",
        "uname",
        "ifconfig",
        "ipconfig",
        "netstat",
        "pwd",
        "ls",
        "ps",
        "env",
        "printenv",
        "hostname",
        "systeminfo",
        "ver",
        "dir",
        "uptime",
        "lsb_release",
        "sh",
        "bash",
        "zsh",
        "ksh",
        "dash",
        "csh",
        "tcsh",
        "cmd",
        "powershell",
        "pwsh",
        "reboot",
        "halt",
        "poweroff",
        "tasklist",
        "getuid",
        "phpinfo",
        "sysinfo",
        "ipinfo",
        "arp",
        "route",
        "nproc",
        "lsof",
        "dmesg",  # the kernel's log
        "lastlog",  # every account's last login
        "visudo",
        *POWERSHELL_RECON,
    }
)
# Programs that need an argument to look like an attack (many are also English words).
WITH_ARGUMENTS = frozenset(
    {
        "getent",  # "getent passwd": the user database without naming /etc/passwd
        "cat",
        "cd",
        "base32",
        "basenc",
        "gdb",
        "gcc",
        "irb",
        "tac",
        "nl",
        "head",
        "tail",
        "more",
        "less",
        "od",
        "xxd",
        "hexdump",
        "strings",
        "base64",
        "grep",
        "egrep",
        "find",
        "locate",
        "echo",
        "printf",
        "touch",
        "rm",
        "mv",
        "cp",
        "chmod",
        "chown",
        "chgrp",
        "mkdir",
        "rmdir",
        "ln",
        "kill",
        "killall",
        "pkill",
        "sleep",
        "ping",
        "ping6",
        "nslookup",
        "dig",
        "host",
        "traceroute",
        "tracert",
        "wget",
        "curl",
        "fetch",
        "tftp",
        "ftp",
        "scp",
        "ssh",
        "telnet",
        "nc",
        "ncat",
        "netcat",
        "socat",
        "python",
        "python2",
        "python3",
        "perl",
        "ruby",
        "php",
        "node",
        "nodejs",
        "lua",
        "java",
        "awk",
        "gawk",
        "sed",
        "xargs",
        "crontab",
        "useradd",
        "adduser",
        "usermod",
        "passwd",
        "chpasswd",
        "su",
        "sudo",
        "net",
        "netsh",
        "reg",
        "sc",
        "wmic",
        "taskkill",
        "type",
        "copy",
        "del",
        "certutil",
        "bitsadmin",
        "mshta",
        "rundll32",
        "regsvr32",
        "wscript",
        "cscript",
        "msiexec",
        "start",
        "timeout",
        "for",
        "eval",
        "exec",
        "source",
        "export",
        "unset",
        "set",
        "bash",
        "sh",
        "zsh",
        "cmd",
        "powershell",
        "pwsh",
        "tar",
        "zip",
        "unzip",
        "gzip",
        "dd",
        "mail",
        "sendmail",
        "mkfifo",
        "mknod",
        "openssl",
        "nohup",
        "systemctl",
        "service",
        "mount",
        "iptables",
        "history",
        "which",
        "whereis",
        "file",
        "stat",
        "du",
        "df",
        "free",
        "last",
        "who",
        "date",
        "cut",
        "sort",
        "uniq",
        "wc",
        "tee",
        "vi",
        "vim",
        "nano",
        "md5sum",
        "sha1sum",
        "shred",
        "ls",
        "dir",
        "id",
        "uname",
        "ipconfig",
        "ifconfig",
        "netstat",
        "ps",
        "env",
        "whoami",
        # package managers and configuration-management tools: they install and run code as root
        # ("; apt-get install -y nmap", "; ansible all -m shell -a id")
        "apt-get",
        "aptitude",
        "yum",
        "dnf",
        "dpkg",
        "ansible",
        "ansible-playbook",
        "ansible-galaxy",
        "ansible-pull",
        "ansible-vault",
        "ansible-inventory",
        "ansible-config",
        "ansible-console",
        "ansible-doc",
        "chef-client",
        "chef-run",
        "chef-shell",
        "chef-vault",
        "cscli",
        # programs that run another command or unpack an archive
        "cpulimit",
        "runcon",
        "bsdtar",
        "7z",
        "7za",
        # Windows: registry and boot tools, the package manager, PowerShell's download-and-run cmdlets
        "regedit",
        "bcdboot",
        "winget",
        "iwr",
        "irm",
        "iex",
        "invoke-webrequest",
        "invoke-restmethod",
        "invoke-expression",
        *POWERSHELL_WITH_ARGUMENTS,
    }
)
KNOWN = STANDALONE | WITH_ARGUMENTS
# The known commands a Windows machine runs whatever their letter case (cmd.exe's built-ins and the programs
# Windows ships or commonly has on its PATH, where file names ignore case). Every other known command
# exists only on Unix-like systems, whose shells find it only in its own lower-case spelling: "ID" and "Ps"
# run nothing on Lambda's Linux.
CASE_INSENSITIVE = frozenset(
    {
        "arp", "bitsadmin", "cd", "certutil", "cmd", "copy", "cscript", "curl", "date", "del", "dir", "echo", "find",
        "for", "ftp", "hostname", "ipconfig", "java", "more", "mshta", "msiexec", "net", "netsh", "netstat",
        "node", "nodejs", "nslookup", "perl", "php", "ping", "powershell", "pwsh", "python", "python3", "reg",
        "regsvr32", "route", "ruby", "rundll32", "sc", "scp", "set", "sort", "ssh", "start", "systeminfo", "tar",
        "taskkill", "tasklist", "telnet", "tftp", "timeout", "tracert", "type", "ver", "whoami", "wmic", "wscript",
        "regedit", "bcdboot", "winget", "iwr", "irm", "iex", "invoke-webrequest", "invoke-restmethod",
        "invoke-expression", "7z", "7za", *POWERSHELL_RECON, *POWERSHELL_WITH_ARGUMENTS,
    }
)
# Words that run the next word as a command ("sudo cat ...", "nohup nc ...").
# Wrappers that run the command after their options and this many operands ("timeout 1 id")
WRAPPER_OPERANDS = {
    "timeout": 1, "taskset": 1, "flock": 1, "chroot": 1,
    "setsid": 0, "stdbuf": 0, "time": 0, "ionice": 0, "eval": 0, "command": 0, "nice": 0, "nohup": 0, "sudo": 0,
}
PREFIX_COMMANDS = frozenset(
    {"sudo", "nohup", "env", "exec", "time", "nice", "busybox", "command", "builtin", "doas", "strace", "ltrace"}
    | WRAPPER_OPERANDS.keys()
)
# Directories binaries live in: "/usr/bin/id" is a command even when "id" is not in our lists.
BINARY_DIRS = ("/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/", "/system32/")

# Arguments that make a command line unmistakable; among them a path whose top directory is a glob
# ("/et?/passw?", "/???/"): a name no file has, spelled so that only the shell finds the file.
SENSITIVE_PATH = re.compile(
    r"^(?:(?:/etc|/bin|/sbin|/usr|/dev|/proc|/tmp|/var|/root|/home|/opt|/boot|/lib|/lib64|/srv|/sys)(?:/|$)|"
    r"~/|\.\./|[a-z]:\\|\\\\|%[a-z]+%|\$home|\$path|\$shell|/\*?$|/\w{0,12}[?*][\w?*]{0,12}/)",
    re.IGNORECASE,
)
# Sub-commands that make Windows administration tools unambiguous ("net user", "netsh firewall").
ADMIN_SUBCOMMANDS = {
    "getent": frozenset({"passwd", "shadow", "group"}),
    "net": frozenset({"user", "users", "localgroup", "group", "view", "share", "use", "accounts", "session"}),
    "netsh": frozenset({"firewall", "advfirewall", "interface", "wlan", "winhttp"}),
    "reg": frozenset({"add", "query", "delete", "save", "export"}),
    "sc": frozenset({"create", "config", "start", "stop", "query", "delete"}),
    "wmic": frozenset({"process", "os", "useraccount", "service", "shadowcopy", "qfe"}),
}
# After a separator these are commands whatever their argument is ("; echo INJECTED", "| nc host 4444").
# Not sleep, timeout or kill, which take a number ("| sleep 5", "; kill -9 1", read as such by
# ``_argument_signal``), nor which, which takes a command's name: "tired; sleep well", "late; which is
# annoying" and "ok; kill the lights" are prose.
ANY_ARGUMENT = frozenset(
    {
        "su",
        "sudo",
        "echo",
        "printf",
        "ping",
        "nslookup",
        "wget",
        "curl",
        "nc",
        "ncat",
        "netcat",
        "bash",
        "sh",
        "perl",
        "python",
        "python3",
        "ruby",
        "php",
        "rm",
        "chmod",
        "whoami",
        "invoke-expression",
    }
)
URL_ARGUMENT = re.compile(r"^(?:https?|ftp|tftp|file)://|^//[\w.-]+/", re.IGNORECASE)
IPV4_ARGUMENT = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$")
UNIX_OPTION = re.compile(r"^--?[a-z][\w-]{0,30}$", re.IGNORECASE)
WINDOWS_OPTION = re.compile(r"^/[a-z?]{1,12}$", re.IGNORECASE)
GLOB_PATH = re.compile(r"^/[\w?*\[\]]*[?*\[][\w?*\[\]/]*$")
NUMBER = re.compile(r"^\d{1,9}(?:\.\d+)?[smhd]?$")
