import { describe, expect, it } from "vitest";
import { parseTwiml } from "../../../src/simulator/twiml-parser.js";
import { twiml } from "./twiml-server.js";

describe("parseTwiml", () => {
  it("reads the verbs of a VoiceResponse in order, with Twilio's defaults", () => {
    const xml = twiml((r) => {
      r.say({ voice: "Polly.Joanna", language: "en-US" }, "Welcome & hello");
      const gather = r.gather({ action: "/voice/menu?step=1&x=2" });
      gather.say("Press 1");
      gather.pause();
      gather.play("https://example.com/tone.mp3");
      r.redirect("/voice/incoming");
      r.dial({ action: "/voice/after" }).number("+85228881234");
      r.dial("+85228880000");
      r.hangup();
      r.reject();
    }).toString();

    expect(parseTwiml(xml)).toEqual([
      {
        verb: "Say",
        text: "Welcome & hello",
        voice: "Polly.Joanna",
        language: "en-US",
        loop: 1,
        breakSeconds: 0,
      },
      {
        verb: "Gather",
        action: "/voice/menu?step=1&x=2",
        method: "POST",
        timeout: 5,
        finishOnKey: "#",
        actionOnEmptyResult: false,
        input: ["dtmf"],
        prompts: [
          { verb: "Say", text: "Press 1", loop: 1, breakSeconds: 0 },
          { verb: "Pause", length: 1 },
          { verb: "Play", url: "https://example.com/tone.mp3", loop: 1 },
        ],
      },
      { verb: "Redirect", url: "/voice/incoming", method: "POST" },
      { verb: "Dial", action: "/voice/after", method: "POST", timeout: 30, numbers: ["+85228881234"] },
      { verb: "Dial", method: "POST", timeout: 30, numbers: ["+85228880000"] },
      { verb: "Hangup" },
      { verb: "Reject", reason: "rejected" },
    ]);
  });

  it("reads Gather's attributes", () => {
    const xml = twiml((r) =>
      r.gather({
        numDigits: 4,
        finishOnKey: "",
        timeout: 9,
        method: "GET",
        actionOnEmptyResult: true,
        input: ["dtmf", "speech"],
      }),
    ).toString();
    expect(parseTwiml(xml)).toEqual([
      {
        verb: "Gather",
        method: "GET",
        timeout: 9,
        finishOnKey: "",
        numDigits: 4,
        actionOnEmptyResult: true,
        input: ["dtmf", "speech"],
        prompts: [],
      },
    ]);
  });

  it("flattens SSML inside <Say> into what is spoken", () => {
    const response = twiml((r) => {
      const say = r.say({ language: "en-GB" }, "Your reference is ");
      say.sayAs({ "interpret-as": "digits" }, "12345");
      say.break({ time: "500ms" });
      say.sayAs({ "interpret-as": "digits" }, "67890");
      say.addText(". Call ");
      say.sub({ alias: "the library" }, "HKPL");
      say.break({ time: "1s" });
    });
    expect(parseTwiml(response.toString())).toEqual([
      {
        verb: "Say",
        text: "Your reference is 1 2 3 4 5 6 7 8 9 0 . Call the library",
        language: "en-GB",
        loop: 1,
        breakSeconds: 1.5,
      },
    ]);
  });

  it.each([
    ["a body that is not XML", "Internal Server Error", /not well-formed XML/],
    ["an unclosed tag", "<Response><Say>hi</Response>", /not well-formed XML/],
    ["another root", "<html><body>oops</body></html>", /root element is not <Response>/],
    ["an empty document", "", /not well-formed XML/],
    ["a verb the emulator does not run", "<Response><Record/></Response>", /<Record> is not a verb/],
    ["an empty <Say>", "<Response><Say> </Say></Response>", /<Say> with no text/],
    [
      "a Gather inside a Gather",
      "<Response><Gather><Gather/></Gather></Response>",
      /cannot be nested in <Gather>/,
    ],
    ["a bad finishOnKey", '<Response><Gather finishOnKey="ab"/></Response>', /finishOnKey/],
    ["a bad timeout", '<Response><Gather timeout="soon"/></Response>', /timeout="soon"/],
    ["text between verbs", "<Response>Hello<Hangup/></Response>", /text outside any verb/],
    ["a <Dial> to a client", "<Response><Dial><Client>alice</Client></Dial></Response>", /only <Number>/],
    ["an unknown Reject reason", '<Response><Reject reason="later"/></Response>', /Reject reason="later"/],
    ["a loop forever", '<Response><Say loop="0">hi</Say></Response>', /loop="0"/],
  ])("refuses %s", (_, xml, message) => {
    expect(() => parseTwiml(xml)).toThrow(message);
  });
});
