const { saveReading } = require("./lib/store");

exports.handler = async (event) => {
  for (const reading of event.readings) {
    await saveReading(reading);
  }
};
