import { Webhooks } from "@telnyx-voice/webhooks";
import express from "express";

const router = new Webhooks().router().on("call.answered", (event) => console.log(event.data.payload.call_control_id));

const app = express();
// express.raw keeps the body as bytes: the signature covers the body exactly as sent.
app.post("/webhooks", express.raw({ type: "application/json" }), router.nodeHandler());
app.listen(Number(process.env.PORT ?? 3000));
