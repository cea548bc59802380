import { Telnyx } from "@telnyx-voice/client";

const telnyx = new Telnyx();

// Every active call on the connection, page after page (cursors), each page fetched once.
for await (const call of telnyx.connections.listActiveCalls("1494404757140276705")) {
  console.log(call.call_control_id, call.call_duration);
}

// Or one page at a time.
const page = await telnyx.callControlApplications.list({ page: { size: 20 } });
console.log(page.data.map((app) => app.application_name), page.hasNextPage());
