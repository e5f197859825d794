// The helpers the runtime provides, by the kernel's ids (enum bpf_func_id), in
// the subset asc and tsc both compile. test/emu/shared/helper-ids.test.ts
// checks them against emu/isa/helpers.ts's names. A const enum: asc inlines
// its members.

export const enum Helper {
  MapLookupElem = 1,
  MapUpdateElem = 2,
  MapDeleteElem = 3,
  KtimeGetNs = 5,
  TracePrintk = 6,
  GetPrandomU32 = 7,
  GetSmpProcessorId = 8,
  SkbStoreBytes = 9,
  L3CsumReplace = 10,
  L4CsumReplace = 11,
  TailCall = 12,
  Redirect = 23,
  GetSocketCookie = 46,
  SkbLoadBytes = 26,
  SkbAdjustRoom = 50,
  CsumDiff = 28,
  KtimeGetBootNs = 125,
  RingbufOutput = 130,
  RingbufReserve = 131,
  RingbufSubmit = 132,
  RingbufDiscard = 133,
  RingbufQuery = 134,
  MapLookupPercpuElem = 195,
}
