// What the host set up for the current run: the context the program gets in
// r1, the packet it may reach, the type of the program (helpers differ by it),
// and what the program asked for through helpers (a redirect).

export let contextAddress: u64 = 0;
export let packetStart: usize = 0;
export let packetEnd: usize = 0;
/** The memory the host set aside around the packet, [packetFloor, packetCeiling): where bpf_skb_adjust_room may grow it. */
export let packetFloor: usize = 0;
export let packetCeiling: usize = 0;
export let runProgramType: u32 = 0;
export let redirectIfindex: u32 = 0;
export let redirectFlags: u64 = 0;
/** What bpf_get_socket_cookie returns: the cookie of the socket behind the run's context. */
export let socketCookie: u64 = 0;

export function setSocketCookie(cookie: u64): void {
  socketCookie = cookie;
}

export function setRun(context: u32, start: usize, end: usize, type: u32): void {
  contextAddress = <u64>context;
  packetStart = start;
  packetEnd = end;
  packetFloor = start;
  packetCeiling = end;
  runProgramType = type;
  redirectIfindex = 0;
  redirectFlags = 0;
}

export function setRedirect(ifindex: u32, flags: u64): void {
  redirectIfindex = ifindex;
  redirectFlags = flags;
}

export function setRunProgramType(type: u32): void {
  runProgramType = type;
}

/** Called after setRun: the packet may grow into [floor, ceiling). */
export function setPacketRoom(floor: usize, ceiling: usize): void {
  packetFloor = floor;
  packetCeiling = ceiling;
}

/** The packet now lies at [start, end) (a helper grew or shrank it). */
export function movePacket(start: usize, end: usize): void {
  packetStart = start;
  packetEnd = end;
}
