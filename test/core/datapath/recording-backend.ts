// A backend for the loaders' tests that records what it is asked, in order,
// and fails the step it is told to fail.

import type { Attachment, DatapathObjectFile, Hook, ObjectAttacher, ObjectBackend, ObjectConfiguration } from "../../../src/core/datapath/object-backend.ts";

export interface RecordedObject {
  file: DatapathObjectFile;
  copy: number;
}

export class RecordingBackend implements ObjectBackend<RecordedObject>, ObjectAttacher<RecordedObject> {
  readonly steps: string[] = [];
  readonly configurations: ObjectConfiguration[] = [];
  private copies = 0;

  /** `failing`: the step (as recorded) that throws instead. */
  constructor(private readonly failing?: string) {}

  load(file: DatapathObjectFile, configuration: ObjectConfiguration): RecordedObject {
    const object = { file, copy: ++this.copies };
    this.configurations.push(configuration);
    this.step(`load ${name(object)}`);
    return object;
  }

  fillSlot(object: RecordedObject, map: string, slot: number, program: string): void {
    this.step(`fill ${name(object)} ${map}[${slot}] = ${program}`);
  }

  copyMap(from: RecordedObject, to: RecordedObject, map: string): void {
    this.step(`copy ${map} from ${name(from)} to ${name(to)}`);
  }

  close(object: RecordedObject): void {
    this.step(`close ${name(object)}`);
  }

  attach(object: RecordedObject, program: string, hook: Hook): Attachment {
    const where = hook.kind === "tc" ? `tc ${hook.direction} of ${hook.ifindex}` : hook.kind === "xdp" ? `xdp of ${hook.ifindex}` : hook.attachType;
    const attachment = `${name(object)} ${program} at ${where}`;
    this.step(`attach ${attachment}`);
    return { close: () => {} };
  }

  private step(step: string): void {
    if (step === this.failing) throw new Error(`failed: ${step}`);
    this.steps.push(step);
  }
}

const name = (object: RecordedObject) => `${object.file}#${object.copy}`;
