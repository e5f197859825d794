// The one error the loader throws: everything wrong with an object file, from
// a truncated header to a relocation it cannot apply, named by file, section
// and (where there is one) instruction, so a user can find the line to fix.

export interface LoaderErrorLocation {
  file: string;
  /** The ELF section (or BTF part, such as ".BTF") at fault. */
  section?: string;
  /** The instruction slot within the section or the program. */
  index?: number;
  /** The disassembly of that instruction. */
  instruction?: string;
}

export class LoaderError extends Error {
  readonly file: string;
  readonly section: string | undefined;
  readonly index: number | undefined;
  readonly instruction: string | undefined;

  constructor(
    readonly detail: string,
    where: LoaderErrorLocation,
  ) {
    super(LoaderError.describe(detail, where));
    this.name = "LoaderError";
    this.file = where.file;
    this.section = where.section;
    this.index = where.index;
    this.instruction = where.instruction;
  }

  private static describe(detail: string, where: LoaderErrorLocation): string {
    let place = where.file;
    if (where.section !== undefined) place += `: section ${where.section}`;
    if (where.index !== undefined) {
      place += `: instruction ${where.index}`;
      if (where.instruction !== undefined) place += ` (${where.instruction})`;
    }
    return `${place}: ${detail}`;
  }
}
