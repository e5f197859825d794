// The runtime's memory above its static data: 64 KiB pages, each of one kind.
// A page table says which pages a BPF program may touch through a pointer it
// was given (map values: read-write, or read-only for .rodata); metadata (map
// structure, keys, packets and contexts, which have precise regions of their
// own) lives on pages the program may not touch. Blocks come from power-of-two
// size classes with a free list each, so that maps grow with their entries and
// give memory back when entries go.

export const PAGE_BITS: u32 = 16;
export const PAGE_BYTES: usize = 1 << PAGE_BITS;

export const enum PageKind {
  /** Not reachable through a BPF pointer: runtime structures, keys, packet and context buffers. */
  Meta = 0,
  /** Map values and ring buffer records: the program may read and write them. */
  Data = 1,
  /** Values of read-only maps (.rodata): the program may read them. */
  ReadOnly = 2,
}
const KINDS: i32 = 3;

const MAX_PAGES: i32 = 65536; // 4 GiB of wasm memory
export const pageKinds = memory.data(MAX_PAGES);

const MIN_CLASS: u32 = 4; // 16 bytes
const CLASSES: i32 = 33;
// Free list heads by kind and class.
const freeLists = memory.data(KINDS * CLASSES * 4, 4);
// Bump range of the current small-block page of each kind.
const bumpNext = memory.data(KINDS * 4, 4);
const bumpEnd = memory.data(KINDS * 4, 4);

let nextFreshPage: usize = 0;

/** Bytes of wasm memory in use by the heap (pages handed out). */
export function heapPages(): i32 {
  return <i32>(nextFreshPage >> PAGE_BITS) - <i32>((<usize>__heap_base + PAGE_BYTES - 1) >> PAGE_BITS);
}

function sizeClass(size: usize): u32 {
  const bits = size <= (<usize>1 << MIN_CLASS) ? MIN_CLASS : <u32>(32 - clz<u32>(<u32>size - 1));
  return bits;
}

/** Fresh pages at the end of memory, grown on demand. */
function freshPages(count: usize, kind: PageKind): usize {
  if (nextFreshPage == 0) nextFreshPage = (<usize>__heap_base + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1);
  const start = nextFreshPage;
  const end = start + (count << PAGE_BITS);
  const have = <usize>memory.size() << PAGE_BITS;
  if (end > have && memory.grow(<i32>((end - have) >> PAGE_BITS)) < 0) return 0;
  for (let page = start >> PAGE_BITS; page < end >> PAGE_BITS; page++) store<u8>(pageKinds + page, <u8>kind);
  nextFreshPage = end;
  return start;
}

/** A zeroed block of at least `size` bytes, aligned to 16 (to its size class up to a page); 0 when memory is exhausted. */
export function allocate(size: usize, kind: PageKind): usize {
  const cls = sizeClass(size);
  const head = freeLists + <usize>((<i32>kind * CLASSES + <i32>cls) * 4);
  const bytes = <usize>1 << cls;
  let block = <usize>load<u32>(head);
  if (block != 0) {
    store<u32>(head, load<u32>(block));
    memory.fill(block, 0, bytes);
    return block;
  }
  if (bytes >= PAGE_BYTES) return freshPages(bytes >> PAGE_BITS, kind);
  const next = bumpNext + <usize>kind * 4;
  const end = bumpEnd + <usize>kind * 4;
  block = (<usize>load<u32>(next) + bytes - 1) & ~(bytes - 1);
  if (load<u32>(next) == 0 || block + bytes > <usize>load<u32>(end)) {
    const page = freshPages(1, kind);
    if (page == 0) return 0;
    block = page;
    store<u32>(end, <u32>(page + PAGE_BYTES));
  }
  store<u32>(next, <u32>(block + bytes));
  return block;
}

/** Gives back a block from allocate() with the same size and kind. */
export function release(block: usize, size: usize, kind: PageKind): void {
  if (block == 0) return;
  const head = freeLists + <usize>((<i32>kind * CLASSES + <i32>sizeClass(size)) * 4);
  store<u32>(block, load<u32>(head));
  store<u32>(head, <u32>block);
}

/** The kind of the page holding `address`. */
@inline
export function pageKind(address: u64): PageKind {
  if ((address >> PAGE_BITS) >= <u64>MAX_PAGES) return PageKind.Meta;
  return <PageKind>load<u8>(pageKinds + <usize>(address >> PAGE_BITS));
}
