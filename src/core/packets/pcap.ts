// The frames of a classic pcap capture (microsecond or nanosecond, either
// byte order, Ethernet link type), for a scenario's `packets: pcap:`.

import { UserError } from "../../util/errors.ts";

export class PcapError extends UserError {
  override name = "PcapError";
}

const LINKTYPE_ETHERNET = 1;
const PCAPNG_MAGIC = 0x0a0d0d0a;

export function readPcapFrames(bytes: Uint8Array, file: string): Uint8Array[] {
  if (bytes.byteLength < 24) throw new PcapError(`${file}: ${bytes.byteLength} bytes is too short for a pcap header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  let little: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) little = false;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) little = true;
  else if (magic === PCAPNG_MAGIC) throw new PcapError(`${file}: pcapng is not read; convert it with: editcap -F pcap ${file} out.pcap`);
  else throw new PcapError(`${file}: not a pcap file (magic 0x${magic.toString(16)})`);
  const linkType = view.getUint32(20, little) & 0x0fffffff;
  if (linkType !== LINKTYPE_ETHERNET) throw new PcapError(`${file}: link type ${linkType}; only Ethernet (1) captures are replayed`);
  const frames: Uint8Array[] = [];
  for (let at = 24; at < bytes.byteLength;) {
    if (at + 16 > bytes.byteLength) throw new PcapError(`${file}: packet ${frames.length + 1}: truncated record header at byte ${at}`);
    const captured = view.getUint32(at + 8, little);
    const start = at + 16;
    if (start + captured > bytes.byteLength) throw new PcapError(`${file}: packet ${frames.length + 1}: truncated (${captured} bytes announced)`);
    frames.push(bytes.slice(start, start + captured));
    at = start + captured;
  }
  return frames;
}
