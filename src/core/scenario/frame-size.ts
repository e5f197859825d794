// A packet item's frames against the largest frame a datapath carries
// (MAX_FRAME_BYTES): a longer one is refused when the scenario is read,
// naming its field, rather than failing the replay.

import type { MappingReader } from "../model/fields.ts";
import { builtFrameLength, MAX_FRAME_BYTES } from "../packets/build.ts";
import type { PacketFrames } from "./types.ts";

const LIMIT = `longer than the ${MAX_FRAME_BYTES} bytes a datapath carries (an IPv4 packet of at most 65535 bytes behind its 14-byte Ethernet header)`;

export function checkFrameSizes(frames: PacketFrames, packet: MappingReader): void {
  if (frames.kind === "hex") {
    if (frames.bytes.length > MAX_FRAME_BYTES) packet.at("hex").fail(`a frame of ${frames.bytes.length} bytes is ${LIMIT}`);
  } else if (frames.kind === "pcap") {
    const index = frames.frames.findIndex((frame) => frame.length > MAX_FRAME_BYTES);
    if (index >= 0) packet.at("pcap").fail(`${frames.path}: packet ${index + 1} is a frame of ${frames.frames[index].length} bytes, ${LIMIT}`);
  } else {
    const length = builtFrameLength(frames.build);
    if (length > MAX_FRAME_BYTES) packet.requireMapping("build").at("payload").fail(`the frame built is ${length} bytes, ${LIMIT}`);
  }
}
