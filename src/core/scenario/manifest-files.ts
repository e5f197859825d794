// Manifests named by `files:` (in spec or in an apply step): files or
// directories relative to the scenario, multi-document YAML, read in the
// order kubectl would apply them (a directory's files by name).

import { join } from "node:path";
import type { FieldPath } from "../model/fields.ts";
import { readString } from "../model/fields.ts";
import { readManifest, type IgnoredObject, type ManifestObject } from "../model/manifest.ts";
import { readYamlDocuments } from "../model/yaml-documents.ts";
import { isMapping } from "../model/fields.ts";
import { InputError, locationOf } from "../model/source.ts";
import { type FileAccess, scenarioPath } from "./file-access.ts";

export interface Manifests {
  readonly objects: ManifestObject[];
  readonly ignored: IgnoredObject[];
}

const manifestExtensions = /\.(ya?ml|json)$/;

/** Reads every manifest of the files a `files:` entry names. */
export function readManifestFiles(entry: unknown, path: FieldPath, scenarioFile: string, access: FileAccess, into: Manifests): void {
  const relative = readString(entry, path);
  const target = scenarioPath(scenarioFile, relative);
  const refuse = (file: string) => (problem: string) => path.fail(`${file} ${problem}`);
  const files = access.isDirectory(target, refuse(target))
    ? access
        .list(target, refuse(target))
        .filter((name) => manifestExtensions.test(name))
        .map((name) => join(target, name))
    : [target];
  if (files.length === 0) path.fail(`directory ${target} holds no .yaml, .yml or .json files`);
  for (const file of files) readManifestText(access.read(file, refuse(file)).toString("utf8"), file, into);
}

/** Reads the manifests of one file's text; a `kind: List` contributes its items. */
export function readManifestText(text: string, file: string, into: Manifests): void {
  for (const document of readYamlDocuments(text, file)) {
    const where = `document ${document.index}`;
    if (!isMapping(document.value)) {
      throw new InputError(file, document.line, where, "", "a manifest must be a mapping (apiVersion, kind, metadata, ...)");
    }
    if (document.value.kind === "List" && Array.isArray(document.value.items)) {
      const items = document.value.items;
      items.forEach((item, index) => add(item, file, `${where} items[${index}]`, locationOf(items, index)?.line ?? document.line, into));
    } else {
      add(document.value, file, where, document.line, into);
    }
  }
}

export function add(value: unknown, file: string, where: string, line: number, into: Manifests): void {
  const read = readManifest(value, file, where, line);
  if ("object" in read) into.objects.push(read.object);
  else into.ignored.push(read.ignored);
}
