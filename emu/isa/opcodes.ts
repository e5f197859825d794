// The eBPF instruction set (RFC 9669) as data: every field of the opcode byte
// with its encoding and its name. The assembler, the disassembler and the
// validator all read these tables; nothing here is a hand-written case per opcode.

/** The low three bits of the opcode. */
export const Class = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  JMP32: 0x06,
  ALU64: 0x07,
} as const;
export type ClassCode = (typeof Class)[keyof typeof Class];

/** Bit 3 of an ALU or JMP opcode: the second operand is imm (K) or src (X). */
export const Source = { K: 0x00, X: 0x08 } as const;

/** The high four bits of an ALU or ALU64 opcode, with the assembler mnemonic. */
export const AluOp = {
  add: 0x00,
  sub: 0x10,
  mul: 0x20,
  div: 0x30,
  or: 0x40,
  and: 0x50,
  lsh: 0x60,
  rsh: 0x70,
  neg: 0x80,
  mod: 0x90,
  xor: 0xa0,
  mov: 0xb0,
  arsh: 0xc0,
  end: 0xd0,
} as const;
export type AluOpName = keyof typeof AluOp;

/** The high four bits of a JMP or JMP32 opcode. */
export const JmpOp = {
  ja: 0x00,
  jeq: 0x10,
  jgt: 0x20,
  jge: 0x30,
  jset: 0x40,
  jne: 0x50,
  jsgt: 0x60,
  jsge: 0x70,
  call: 0x80,
  exit: 0x90,
  jlt: 0xa0,
  jle: 0xb0,
  jslt: 0xc0,
  jsle: 0xd0,
} as const;
export type JmpOpName = keyof typeof JmpOp;

/** The conditional jumps: every JmpOp but ja, call and exit. */
export const conditionalJumps = (Object.keys(JmpOp) as JmpOpName[]).filter((name) => name !== "ja" && name !== "call" && name !== "exit");

/** Bits 3-4 of a load or store opcode: the access size, with its byte count and suffix. */
export const Size = {
  W: { code: 0x00, bytes: 4, suffix: "w" },
  H: { code: 0x08, bytes: 2, suffix: "h" },
  B: { code: 0x10, bytes: 1, suffix: "b" },
  DW: { code: 0x18, bytes: 8, suffix: "dw" },
} as const;
export const sizes = Object.values(Size);

/** Bits 5-7 of a load or store opcode. */
export const Mode = {
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  MEMSX: 0x80,
  ATOMIC: 0xc0,
} as const;

/** The imm field of an atomic instruction. FETCH may be or-ed into add, or, and, xor. */
export const AtomicOp = {
  add: 0x00,
  or: 0x40,
  and: 0x50,
  xor: 0xa0,
  xchg: 0xe1,
  cmpxchg: 0xf1,
} as const;
export type AtomicOpName = keyof typeof AtomicOp;
export const ATOMIC_FETCH = 0x01;

/** The src field of a call: what imm names. */
export const CallKind = { HELPER: 0, LOCAL: 1, KFUNC: 2 } as const;

/** The src field of the 64-bit immediate load (lddw): how the loader must read imm. */
export const PseudoLoad = {
  IMM64: 0,
  MAP_FD: 1,
  MAP_VALUE: 2,
  BTF_ID: 3,
  FUNC: 4,
  MAP_IDX: 5,
  MAP_IDX_VALUE: 6,
} as const;

export const CLASS_MASK = 0x07;
export const SOURCE_MASK = 0x08;
export const OP_MASK = 0xf0;
export const SIZE_MASK = 0x18;
export const MODE_MASK = 0xe0;

export const LDDW = Class.LD | Mode.IMM | Size.DW.code; // 0x18
export const EXIT = Class.JMP | JmpOp.exit; // 0x95
export const CALL = Class.JMP | JmpOp.call; // 0x85
export const CALLX = Class.JMP | JmpOp.call | Source.X; // 0x8d
export const JA = Class.JMP | JmpOp.ja; // 0x05
export const JA32 = Class.JMP32 | JmpOp.ja; // 0x06

/** Registers r0..r10; r10 is the read-only frame pointer. */
export const REGISTER_COUNT = 11;
export const FRAME_POINTER = 10;
/** The byte size of one instruction slot. */
export const INSTRUCTION_BYTES = 8;

const invert = <T extends Record<string, number>>(table: T): Map<number, keyof T> =>
  new Map(Object.entries(table).map(([name, code]) => [code, name as keyof T]));

export const aluOpName = invert(AluOp);
export const jmpOpName = invert(JmpOp);
export const atomicOpName = invert(AtomicOp);
export const sizeByCode = new Map(sizes.map((size) => [size.code, size]));

export const opClass = (opcode: number): number => opcode & CLASS_MASK;
export const isAluClass = (cls: number): boolean => cls === Class.ALU || cls === Class.ALU64;
export const isJmpClass = (cls: number): boolean => cls === Class.JMP || cls === Class.JMP32;
