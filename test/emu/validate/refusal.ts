// The validator's refusal of an assembled program, or undefined when it accepts it.

import { assemble } from "../../../emu/asm/assemble.ts";
import { validate, ValidationError } from "../../../emu/validate/validate.ts";

export function validationRefusal(source: string): ValidationError | undefined {
  try {
    validate(assemble(source), { initializedAtEntry: [1] });
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  return undefined;
}
