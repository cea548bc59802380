import { Webhooks } from "@telnyx-voice/webhooks";
import express from "express";

const router = new Webhooks().router().on("call.answered", (event) => console.log(event.data.payload.call_control_id));

const app = express();
// No body parser on this route: the handler reads the raw bytes the signature covers, within its memory bound
// (express.json() would re-serialise them; express.raw keeps every chunk of a body while it arrives).
app.post("/webhooks", router.nodeHandler());
app.listen(Number(process.env.PORT ?? 3000));
