// Mistakes in the cluster inventory handed to identity allocation: each names
// the item (a pod, a node, a namespace) and the field at fault.

export class InventoryError extends Error {
  override name = "InventoryError";

  constructor(
    readonly item: string,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${item}: ${field}: ${detail}`);
  }
}
