// Frames for the kernel backend's tests.

/** A 64-byte Ethernet + IPv4 + TCP SYN frame from 10.0.0.1:12345 to 10.0.0.2:80, checksums correct. */
export function tcpSyn(): Uint8Array {
  const frame = new Uint8Array(64);
  const view = new DataView(frame.buffer);
  frame.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], 0); // destination, source MAC
  view.setUint16(12, 0x0800); // IPv4
  const ip = 14;
  frame.set([0x45, 0, 0, 50, 0, 1, 0x40, 0, 64, 6], ip); // version+IHL, TOS, length 50, id 1, DF, TTL 64, TCP
  frame.set([10, 0, 0, 1, 10, 0, 0, 2], ip + 12);
  view.setUint16(ip + 10, checksum(frame.subarray(ip, ip + 20)));
  const tcp = ip + 20;
  view.setUint16(tcp, 12345);
  view.setUint16(tcp + 2, 80);
  view.setUint32(tcp + 4, 1);
  frame[tcp + 12] = 5 << 4; // data offset: 5 words
  frame[tcp + 13] = 0x02; // SYN
  view.setUint16(tcp + 14, 64240);
  const pseudo = new Uint8Array(12 + 30);
  pseudo.set(frame.subarray(ip + 12, ip + 20), 0);
  pseudo.set([0, 6, 0, 30], 8);
  pseudo.set(frame.subarray(tcp, 64), 12);
  view.setUint16(tcp + 16, checksum(pseudo));
  return frame;
}

/** The Internet checksum (RFC 1071). */
function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
