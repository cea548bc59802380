import { APIError, RateLimitError, Telnyx, ValidationError } from "@telnyx-voice/client";

const telnyx = new Telnyx();

try {
  await telnyx.calls.dial({ connection_id: "1494404757140276705", from: "+13125550001", to: "3125550002" });
} catch (error) {
  if (error instanceof ValidationError) {
    console.error(error.message); // refused before sending: names the field, the value and the expected form
  } else if (error instanceof RateLimitError) {
    console.error(`rate limited: ${error.remaining} of ${error.limit} left`);
  } else if (error instanceof APIError) {
    console.error(error.status, error.errors[0]?.code, error.message); // 422 -> UnprocessableEntityError, ...
  } else {
    throw error;
  }
}
