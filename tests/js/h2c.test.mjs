// The JavaScript SDK v3 over http://: HTTP/2 with prior knowledge (h2c).
import { kinesisSuite } from "./suite.mjs";

kinesisSuite("h2c");
