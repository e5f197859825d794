// The frames of a classic pcap capture (libpcap's savefile format, version
// 2.4: microsecond or nanosecond timestamps, either byte order) of Ethernet
// frames, for a scenario's `packets: pcap:` and `ebbflow bench --packets`.
// Everything libpcap's reader (sf-pcap.c) would refuse or repair is refused,
// with the packet it is about.

import { UserError } from "../../util/errors.ts";

export class PcapError extends UserError {
  override name = "PcapError";
}

const HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const VERSION = { major: 2, minor: 4 };
const LINKTYPE_ETHERNET = 1;
const PCAPNG_MAGIC = 0x0a0d0d0a;

/** The file header's byte order, from its magic number (microsecond or nanosecond timestamps alike). */
function byteOrder(magic: number, file: string): { little: boolean } {
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) return { little: false };
  if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) return { little: true };
  if (magic === PCAPNG_MAGIC) throw new PcapError(`${file}: pcapng is not read; convert it with: editcap -F pcap ${file} out.pcap`);
  throw new PcapError(`${file}: not a pcap file (magic 0x${magic.toString(16).padStart(8, "0")})`);
}

export function readPcapFrames(bytes: Uint8Array, file: string): Uint8Array[] {
  if (bytes.byteLength < HEADER_BYTES) throw new PcapError(`${file}: ${bytes.byteLength} bytes is too short for a pcap header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { little } = byteOrder(view.getUint32(0, false), file);
  const major = view.getUint16(4, little);
  const minor = view.getUint16(6, little);
  if (major !== VERSION.major || minor !== VERSION.minor) {
    throw new PcapError(`${file}: pcap version ${major}.${minor}; only version ${VERSION.major}.${VERSION.minor} is read`);
  }
  const snaplen = view.getUint32(16, little);
  if (snaplen === 0) throw new PcapError(`${file}: snapshot length 0: a capture keeps at least 1 byte of each packet`);
  // The low 16 bits are the link type; the high ones an FCS length and reserved bits, which Ethernet frames to replay do not have.
  const linkField = view.getUint32(20, little);
  if (linkField >>> 16 !== 0) {
    throw new PcapError(
      `${file}: link-type field 0x${linkField.toString(16).padStart(8, "0")} announces a frame check sequence or reserved bits; only plain Ethernet (1) captures are replayed`,
    );
  }
  if (linkField !== LINKTYPE_ETHERNET) throw new PcapError(`${file}: link type ${linkField}; only Ethernet (1) captures are replayed`);
  const frames: Uint8Array[] = [];
  for (let at = HEADER_BYTES; at < bytes.byteLength;) {
    const packet = `${file}: packet ${frames.length + 1}`;
    if (at + RECORD_HEADER_BYTES > bytes.byteLength) throw new PcapError(`${packet}: truncated record header at byte ${at}`);
    const captured = view.getUint32(at + 8, little);
    const original = view.getUint32(at + 12, little);
    if (captured > snaplen) throw new PcapError(`${packet}: captured length ${captured} is above the capture's snapshot length ${snaplen}`);
    if (captured > original) throw new PcapError(`${packet}: captured length ${captured} is above its original length ${original}`);
    const start = at + RECORD_HEADER_BYTES;
    if (start + captured > bytes.byteLength) throw new PcapError(`${packet}: truncated (${captured} bytes announced, ${bytes.byteLength - start} left)`);
    frames.push(bytes.slice(start, start + captured));
    at = start + captured;
  }
  return frames;
}
