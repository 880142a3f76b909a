import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { type CallResult, type PlaceCallOptions, placeCall } from "../../../src/simulator/call-simulator.js";
import { listen } from "../../support/http.js";
import { type Route, startTwimlServer, type TwimlServer, twiml } from "./twiml-server.js";

const TOKEN = "test-auth-token-0123456789";

let server: TwimlServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function call(
  routes: Record<string, Route>,
  options: Partial<PlaceCallOptions> = {},
): Promise<{ result: CallResult; line: TwimlServer }> {
  server = await startTwimlServer(TOKEN, routes);
  const result = await placeCall({ baseUrl: server.baseUrl, authToken: TOKEN, ...options });
  return { result, line: server };
}

const goodbye: Route = () =>
  twiml((r) => {
    r.say("Goodbye");
    r.hangup();
  });

describe("placeCall: requests as Twilio makes them", () => {
  it("signs every request so that twilio.validateRequest accepts it, and sends Twilio's call parameters", async () => {
    const { result, line } = await call(
      {
        "/voice/incoming": () =>
          twiml((r) => r.gather({ numDigits: 1, action: "/voice/language" }).say("For English, press 3")),
        "/voice/language": goodbye,
      },
      { script: ["3"] },
    );

    // The server answers 403 to any request whose signature does not validate.
    expect(result.requests.map((request) => request.status)).toEqual([200, 200, 204]);
    expect(result.endedBy).toBe("hangup");
    expect(line.received.map((request) => request.path)).toEqual([
      "/voice/incoming",
      "/voice/language",
      "/voice/status",
    ]);
    const [incoming, language] = line.received;
    expect(incoming?.params).toEqual({
      AccountSid: expect.stringMatching(/^AC[0-9a-f]{32}$/),
      ApiVersion: "2010-04-01",
      CallSid: result.callSid,
      CallStatus: "ringing",
      Direction: "inbound",
      From: "+85228000000",
      To: "+85230001234",
    });
    expect(result.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(incoming?.contentType).toBe("application/x-www-form-urlencoded");
    expect(language?.params).toMatchObject({
      CallSid: result.callSid,
      CallStatus: "in-progress",
      Digits: "3",
    });
    expect(language?.params.AccountSid).toBe(incoming?.params.AccountSid);
  });

  it("uses the given callSid, from and to", async () => {
    const callSid = `CA${"ab".repeat(16)}`;
    const { line } = await call(
      { "/voice/incoming": goodbye },
      { callSid, from: "+85260000000", to: "+85239999999" },
    );
    expect(line.received[0]?.params).toMatchObject({
      CallSid: callSid,
      From: "+85260000000",
      To: "+85239999999",
    });
  });

  it("is refused with 403 when signed with another token, and ends with an error", async () => {
    server = await startTwimlServer(TOKEN, { "/voice/incoming": goodbye });
    const result = await placeCall({ baseUrl: server.baseUrl, authToken: "not-the-token", script: [] });
    expect(result.endedBy).toBe("error");
    expect(result.error?.reason).toBe("http-status");
    expect(result.requests.map((request) => request.status)).toEqual([403, 403]);
    expect(server.received).toEqual([]);
  });

  it("signs GET requests over the URL and its query string", async () => {
    const { result, line } = await call(
      {
        "/voice/incoming": () =>
          twiml((r) => r.gather({ action: "/voice/card?step=card", method: "GET" }).say("Enter your card")),
        "/voice/card": goodbye,
      },
      { script: ["1234#"] },
    );
    expect(result.endedBy).toBe("hangup");
    expect(line.to("/voice/card")).toEqual([
      expect.objectContaining({
        method: "GET",
        params: expect.objectContaining({ step: "card", Digits: "1234", CallSid: result.callSid }),
      }),
    ]);
  });
});

describe("placeCall: <Gather>", () => {
  it("ends at numDigits and at the finish key, which is not sent; relative actions resolve against the document", async () => {
    const { result, line } = await call(
      {
        "/voice/incoming": () =>
          twiml((r) => r.gather({ numDigits: 1, action: "/voice/menu" }).say("Choose a language")),
        "/voice/menu": () => twiml((r) => r.gather({ action: "card" }).say("Card number and hash")),
        "/voice/card": () => twiml((r) => r.gather({ finishOnKey: "*", action: "pin" }).say("PIN and star")),
        "/voice/pin": () => twiml((r) => r.gather({ numDigits: 4, action: "/voice/end" }).say("Four digits")),
        "/voice/end": goodbye,
      },
      { script: ["3", "2100000001#", "135790*", "12345"] },
    );

    expect(
      line.received.filter((r) => r.params.Digits !== undefined).map((r) => [r.path, r.params.Digits]),
    ).toEqual([
      ["/voice/menu", "3"],
      ["/voice/card", "2100000001"],
      ["/voice/pin", "135790"],
      ["/voice/end", "1234"],
    ]);
    const gathers = result.transcript.filter((entry) => entry.kind === "gather");
    expect(gathers.map((gather) => [gather.endedBy, gather.keys, gather.ignored])).toEqual([
      ["num-digits", "3", ""],
      ["finish-key", "2100000001#", ""],
      ["finish-key", "135790*", ""],
      ["num-digits", "1234", "5"],
    ]);
  });

  it("sends digits keyed without the finish key once the timeout has passed", async () => {
    const { result, line } = await call(
      {
        "/voice/incoming": () => twiml((r) => r.gather({ action: "/voice/card", timeout: 7 })),
        "/voice/card": goodbye,
      },
      { script: ["42"] },
    );
    expect(line.to("/voice/card")[0]?.params.Digits).toBe("42");
    expect(result.transcript[0]).toMatchObject({ kind: "gather", endedBy: "timeout", seconds: 7.8 });
  });

  it.each(["(timeout)", "", "#"])(
    "with no input (%j) and no actionOnEmptyResult, goes on with the verb after the Gather",
    async (entry) => {
      const { result, line } = await call(
        {
          "/voice/incoming": () =>
            twiml((r) => {
              r.gather({ action: "/voice/never", timeout: 4 }).say("Press 1");
              r.say("We did not get your choice");
            }),
        },
        { script: [entry] },
      );
      expect(line.to("/voice/never")).toEqual([]);
      expect(result.heard).toEqual(["Press 1", "We did not get your choice"]);
      expect(result.transcript.find((e) => e.kind === "gather")).toMatchObject({
        sentToAction: false,
        digits: "",
      });
      // The verbs ran out: Twilio hangs up.
      expect(result.endedBy).toBe("hangup");
      expect(result.transcript.at(-1)).toEqual({ kind: "hangup", by: "app", seconds: 0 });
    },
  );

  it("with actionOnEmptyResult, posts empty Digits to the action on timeout", async () => {
    const { result, line } = await call(
      {
        "/voice/incoming": () =>
          twiml((r) => {
            r.gather({ action: "/voice/empty", actionOnEmptyResult: true, timeout: 3 }).say("Press 1");
            r.say("never heard");
          }),
        "/voice/empty": goodbye,
      },
      { script: ["(timeout)"] },
    );
    expect(line.to("/voice/empty")).toEqual([
      expect.objectContaining({ params: expect.objectContaining({ Digits: "" }) }),
    ]);
    expect(result.heard).toEqual(["Press 1", "Goodbye"]);
  });

  it("without an action, posts to the URL of the current document", async () => {
    let round = 0;
    const { line } = await call(
      { "/voice/incoming": () => (round++ === 0 ? twiml((r) => r.gather({ numDigits: 1 })) : goodbye({})) },
      { script: ["5"] },
    );
    expect(line.to("/voice/incoming").map((request) => request.params.Digits)).toEqual([undefined, "5"]);
  });

  it("hangs up for the caller when the script runs out, after the prompts were heard", async () => {
    const { result, line } = await call({
      "/voice/incoming": () => twiml((r) => r.gather({ numDigits: 1 }).say("Press 1")),
    });
    expect(result.endedBy).toBe("caller");
    expect(result.heard).toEqual(["Press 1"]);
    expect(result.transcript.at(-1)).toEqual({ kind: "hangup", by: "caller", seconds: 0 });
    expect(line.to("/voice/status")[0]?.params.CallStatus).toBe("completed");
  });

  it("refuses a script entry a keypad cannot send, before calling", async () => {
    await expect(
      placeCall({ baseUrl: "http://127.0.0.1:9", authToken: TOKEN, script: ["12a"] }),
    ).rejects.toThrow(/not something a keypad sends/);
  });

  it("with bargeIn, marks the prompts cut short by keys as interrupted and counts no time for them", async () => {
    const { result } = await call(
      {
        "/voice/incoming": () =>
          twiml((r) => r.gather({ numDigits: 1, action: "/voice/next" }).say("one two three four five")),
        "/voice/next": () =>
          twiml((r) => r.gather({ numDigits: 1, action: "/voice/next", timeout: 2 }).say("six seven")),
      },
      { script: ["1", "(timeout)"], bargeIn: true },
    );
    const says = result.transcript.filter((entry) => entry.kind === "say");
    expect(says.map((say) => [say.text, say.interrupted, say.seconds])).toEqual([
      ["one two three four five", true, 0],
      ["six seven", false, 0.8],
    ]);
    expect(result.durationSeconds).toBe(3.2); // key 0.4, "six seven" 0.8, timeout 2
  });
});

describe("placeCall: how much the caller hears before keying", () => {
  // The news an action spoke in <Say>s of its own, then the step's options in the last one.
  const renewed: Route = () =>
    twiml((r) => {
      const gather = r.gather({ numDigits: 1, action: "/voice/end" });
      gather.say("Items renewed: four."); // 3 words, 1.2 s
      gather.say("Reference one two three."); // 4 words, 1.6 s
      gather.say("For the main menu press nine."); // 6 words, 2.4 s
    });
  const routes: Record<string, Route> = {
    "/voice/incoming": () =>
      twiml((r) => r.gather({ numDigits: 1, action: "/voice/renewed" }).say("Press zero.")),
    "/voice/renewed": renewed,
    "/voice/end": goodbye,
  };
  const heardInFull = (result: CallResult) =>
    result.transcript.flatMap((entry) => (entry.kind === "say" ? [[entry.text, !entry.interrupted]] : []));

  it("news: hears every <Say> but the last, then keys; the options count no time", async () => {
    const { result } = await call(routes, { script: ["0@none", { keys: "*", listen: "news" }] });
    expect(heardInFull(result)).toEqual([
      ["Press zero.", false],
      ["Items renewed: four.", true],
      ["Reference one two three.", true],
      ["For the main menu press nine.", false],
      ["Goodbye", true], // outside any Gather: always heard
    ]);
    // keys 0.4 + 0.4, news 1.2 + 1.6, goodbye 0.4
    expect(result.durationSeconds).toBe(4);
  });

  it("all and none per entry, whatever bargeIn says for the others", async () => {
    const listening = await call(routes, { script: ["0@all", "*@all"], bargeIn: true });
    expect(heardInFull(listening.result).every(([, heard]) => heard)).toBe(true);
    expect(listening.result.durationSeconds).toBe(7.2); // 0.8 + 0.4 + 1.2 + 1.6 + 2.4 + 0.4 + 0.4
    await server?.close();

    const pressing = await call(routes, { script: ["0", "*@none"] });
    expect(heardInFull(pressing.result)).toEqual([
      ["Press zero.", true],
      ["Items renewed: four.", false],
      ["Reference one two three.", false],
      ["For the main menu press nine.", false],
      ["Goodbye", true],
    ]);
  });

  it("a caller who keys nothing hears every prompt, however the entry says to listen", async () => {
    const { result } = await call(
      { "/voice/incoming": () => twiml((r) => r.gather({ numDigits: 1, timeout: 2 }).say("Press one")) },
      { script: ["(timeout)@none"] },
    );
    expect(result.transcript[0]).toMatchObject({ kind: "say", interrupted: false, seconds: 0.8 });
  });
});

describe("placeCall: <Redirect>, <Dial>, <Hangup>, <Reject>", () => {
  it("follows <Redirect>, relative or absolute, POST or GET; verbs after it are not run", async () => {
    const { result, line } = await call({
      "/voice/incoming": () =>
        twiml((r) => {
          r.say("one");
          r.redirect("next");
          r.say("never heard");
        }),
      "/voice/next": () => twiml((r) => r.redirect({ method: "GET" }, "/voice/last?step=2")),
      "/voice/last": () => twiml((r) => r.say("last")),
    });
    expect(line.received.map((request) => [request.method, request.path])).toEqual([
      ["POST", "/voice/incoming"],
      ["POST", "/voice/next"],
      ["GET", "/voice/last"],
      ["POST", "/voice/status"],
    ]);
    expect(line.to("/voice/last")[0]?.params).toMatchObject({ step: "2", CallStatus: "in-progress" });
    expect(result.heard).toEqual(["one", "last"]);
    expect(result.endedBy).toBe("hangup");
  });

  const dialThenAction: Record<string, Route> = {
    "/voice/incoming": () =>
      twiml((r) => {
        r.dial({ action: "/voice/after-dial", timeout: 20 }).number("+85228881234");
        r.say("never heard");
      }),
    "/voice/after-dial": (params) =>
      twiml((r) => {
        r.say(`Dial ended: ${params.DialCallStatus}`);
        r.hangup();
      }),
  };

  it("<Dial action> posts DialCallStatus, no-answer by default after ringing for the timeout", async () => {
    const { result, line } = await call(dialThenAction);
    expect(line.to("/voice/after-dial")[0]?.params).toMatchObject({
      DialCallStatus: "no-answer",
      DialCallSid: expect.stringMatching(/^CA[0-9a-f]{32}$/),
    });
    expect(result.transcript[0]).toEqual({
      kind: "dial",
      numbers: ["+85228881234"],
      status: "no-answer",
      seconds: 20,
    });
    expect(result.heard).toEqual(["Dial ended: no-answer"]);
  });

  it("<Dial action> posts the outcome dialOutcome chooses", async () => {
    const attempts: unknown[] = [];
    const { line } = await call(dialThenAction, {
      dialOutcome: (attempt) => {
        attempts.push(attempt);
        return "completed";
      },
    });
    expect(attempts).toEqual([{ numbers: ["+85228881234"], timeoutSeconds: 20 }]);
    expect(line.to("/voice/after-dial")[0]?.params).toMatchObject({
      DialCallStatus: "completed",
      DialCallDuration: "0",
    });
  });

  it("<Dial> without an action goes on with the next verb, as Twilio does", async () => {
    const { result } = await call({
      "/voice/incoming": () =>
        twiml((r) => {
          r.dial("+85228881234");
          r.say("after the dial");
        }),
    });
    expect(result.heard).toEqual(["after the dial"]);
    expect(result.endedBy).toBe("hangup");
  });

  it("<Hangup> ends the call; nothing after it is heard", async () => {
    const { result, line } = await call({
      "/voice/incoming": () =>
        twiml((r) => {
          r.say("Goodbye");
          r.hangup();
          r.say("never heard");
        }),
    });
    expect(result.endedBy).toBe("hangup");
    expect(result.heard).toEqual(["Goodbye"]);
    expect(result.transcript.at(-1)).toEqual({ kind: "hangup", by: "app", seconds: 0 });
    expect(line.received.map((request) => request.path)).toEqual(["/voice/incoming", "/voice/status"]);
  });

  it("<Reject> as the first verb leaves the call unanswered: busy or no-answer, no CallDuration", async () => {
    const { result, line } = await call({
      "/voice/incoming": () => twiml((r) => r.reject({ reason: "busy" })),
    });
    expect(result.callStatus).toBe("busy");
    expect(result.durationSeconds).toBe(0);
    const status = line.to("/voice/status")[0]?.params;
    expect(status?.CallStatus).toBe("busy");
    expect(status?.CallDuration).toBeUndefined();
  });
});

describe("placeCall: the estimate, the transcript and the status callback", () => {
  const line: Record<string, Route> = {
    "/voice/incoming": () =>
      twiml((r) => {
        r.say({ voice: "Polly.Joanna", language: "en-US" }, "Welcome to the library renewal line"); // 6 words
        const menu = r.gather({ numDigits: 1, action: "/voice/language" });
        menu.say({ voice: "Google.yue-HK-Standard-A", language: "yue-HK" }, "廣東話請按一"); // 6 characters
        menu.say({ voice: "Google.cmn-CN-Standard-A", language: "cmn-CN" }, "普通话请按二"); // 6 characters
        menu.say({ voice: "Polly.Joanna", language: "en-US" }, "For English, press 3"); // 4 words
      }),
    "/voice/language": () =>
      twiml((r) => {
        r.pause({ length: 2 });
        r.gather({ action: "/voice/card" }).say("Enter your card number, followed by the hash key"); // 9 words
      }),
    "/voice/card": goodbye,
  };

  it("records what was said, with voice and language, and estimates each prompt and the call", async () => {
    const { result } = await call(line, { script: ["3", "2100000001#"] });
    expect(result.transcript).toEqual([
      {
        kind: "say",
        text: "Welcome to the library renewal line",
        voice: "Polly.Joanna",
        language: "en-US",
        seconds: 2.4,
        interrupted: false,
      },
      {
        kind: "say",
        text: "廣東話請按一",
        voice: "Google.yue-HK-Standard-A",
        language: "yue-HK",
        seconds: 1.5,
        interrupted: false,
      },
      {
        kind: "say",
        text: "普通话请按二",
        voice: "Google.cmn-CN-Standard-A",
        language: "cmn-CN",
        seconds: 1.5,
        interrupted: false,
      },
      {
        kind: "say",
        text: "For English, press 3",
        voice: "Polly.Joanna",
        language: "en-US",
        seconds: 1.6,
        interrupted: false,
      },
      {
        kind: "gather",
        keys: "3",
        digits: "3",
        endedBy: "num-digits",
        sentToAction: true,
        ignored: "",
        seconds: 0.4,
      },
      { kind: "pause", seconds: 2, interrupted: false },
      {
        kind: "say",
        text: "Enter your card number, followed by the hash key",
        seconds: 3.6,
        interrupted: false,
      },
      {
        kind: "gather",
        keys: "2100000001#",
        digits: "2100000001",
        endedBy: "finish-key",
        sentToAction: true,
        ignored: "",
        seconds: 4.4,
      },
      { kind: "say", text: "Goodbye", seconds: 0.4, interrupted: false },
      { kind: "hangup", by: "app", seconds: 0 },
    ]);
    expect(result.heard).toEqual([
      "Welcome to the library renewal line",
      "廣東話請按一",
      "普通话请按二",
      "For English, press 3",
      "Enter your card number, followed by the hash key",
      "Goodbye",
    ]);
    expect(result.durationSeconds).toBe(17.8);
  });

  it("posts a signed status callback, completed, with CallDuration the estimate rounded to whole seconds", async () => {
    const { result, line: server } = await call(line, { script: ["3", "2100000001#"] });
    const status = server.to("/voice/status");
    expect(status).toHaveLength(1);
    expect(status[0]?.params).toMatchObject({
      CallSid: result.callSid,
      CallStatus: "completed",
      CallDuration: String(Math.round(result.durationSeconds)),
    });
    expect(status[0]?.params.CallDuration).toBe("18");
    expect(result.requests.at(-1)).toMatchObject({ url: `${server.baseUrl}/voice/status`, status: 204 });
  });

  it("counts the Gather timeout when the caller keys nothing", async () => {
    const { result } = await call(
      {
        "/voice/incoming": () =>
          twiml((r) => {
            r.gather({ timeout: 6, action: "/voice/never" }).say("Press 1"); // 0.8 s, then 6 s of silence
            r.say("Goodbye"); // 0.4 s
          }),
      },
      { script: ["(timeout)"] },
    );
    expect(result.durationSeconds).toBe(7.2);
    expect(server?.to("/voice/status")[0]?.params.CallDuration).toBe("7");
  });

  it("hands each spoken text to onPrompt and asks nextKeys at each Gather", async () => {
    const spoken: string[] = [];
    const answers = ["3", null];
    const { result } = await call(
      {
        "/voice/incoming": () =>
          twiml((r) => r.gather({ numDigits: 1, action: "/voice/menu" }).say("Press 3")),
        "/voice/menu": () => twiml((r) => r.gather({ numDigits: 1, action: "/voice/menu" }).say("Main menu")),
      },
      { onPrompt: (text) => spoken.push(text), nextKeys: async () => answers.shift() ?? null },
    );
    expect(spoken).toEqual(["Press 3", "Main menu"]);
    expect(spoken).toEqual(result.heard);
    expect(result.endedBy).toBe("caller");
  });
});

describe("placeCall: when the line fails", () => {
  it.each([
    [
      "a 500 answer",
      { status: 500, contentType: "text/html", body: "<h1>Internal error</h1>" },
      "http-status",
    ],
    [
      "a Content-Type other than text/xml",
      { status: 200, contentType: "text/html", body: "<Response/>" },
      "content-type",
    ],
    ["a body that is not XML", { status: 200, contentType: "text/xml", body: "Internal error" }, "twiml"],
    [
      "malformed TwiML",
      { status: 200, contentType: "text/xml", body: "<Response><Say>hi</Response>" },
      "twiml",
    ],
    [
      "a verb the emulator does not run",
      { status: 200, contentType: "text/xml", body: "<Response><Record/></Response>" },
      "twiml",
    ],
  ] as const)("ends with endedBy error on %s, recorded", async (_, answer, reason) => {
    const { result, line } = await call({ "/voice/incoming": () => ({ ...answer }) }, { script: ["1"] });
    expect(result.endedBy).toBe("error");
    expect(result.error?.reason).toBe(reason);
    expect(result.requests[0]).toMatchObject({ status: answer.status, twiml: answer.body });
    expect(result.transcript).toEqual([expect.objectContaining({ kind: "error", reason })]);
    // Twilio still reports the end of the call.
    expect(line.to("/voice/status")[0]?.params.CallStatus).toBe("completed");
  });

  it("ends a call that would loop forever after maxRequests webhook requests", async () => {
    const { result, line } = await call(
      { "/voice/incoming": () => twiml((r) => r.redirect("/voice/incoming")) },
      { maxRequests: 5 },
    );
    expect(result.endedBy).toBe("error");
    expect(result.error?.reason).toBe("max-requests");
    expect(line.to("/voice/incoming")).toHaveLength(5);
    expect(line.to("/voice/status")).toHaveLength(1);
  });

  it("reports a line that is not listening as unreachable", async () => {
    const closed = await listen(express());
    await closed.close();
    const result = await placeCall({ baseUrl: closed.baseUrl, authToken: TOKEN, script: [] });
    expect(result.endedBy).toBe("error");
    expect(result.error?.reason).toBe("unreachable");
    expect(result.requests[0]).toMatchObject({
      status: 0,
      networkError: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});
