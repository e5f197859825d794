// What the host set up for the current run: the context the program gets in
// r1, the packet it may reach, the type of the program (helpers differ by it),
// and what the program asked for through helpers (a redirect).

export let contextAddress: u64 = 0;
export let packetStart: usize = 0;
export let packetEnd: usize = 0;
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
