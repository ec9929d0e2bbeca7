/**
 * What was dropped or picked: files, or a folder's files (one level, as a model folder is laid out). The page
 * opens a model with the tokenizer.json that came with it, as the command line finds one beside the model.
 */
export interface DroppedModel {
  /** The .onnx files, in name order. */
  models: File[];
  /** tokenizer.json, or the only other .json file given (so a wrong file gets the tokenizer's error). */
  tokenizer: File | null;
}

export function pickModel(files: readonly File[]): DroppedModel {
  const models = files.filter((f) => f.name.toLowerCase().endsWith('.onnx'));
  models.sort((a, b) => a.name.localeCompare(b.name));
  const json = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  const tokenizer = json.find((f) => f.name === 'tokenizer.json') ?? (json.length === 1 ? json[0] : null);
  return { models, tokenizer };
}

/** The files of a drop, a folder's entries read where the browser gives them (webkitGetAsEntry). */
export async function droppedFiles(data: DataTransfer): Promise<File[]> {
  const entries = [...data.items]
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry?.() : null))
    .filter((e): e is FileSystemEntry => !!e);
  if (!entries.some((e) => e.isDirectory)) return [...data.files];
  const files: File[] = [];
  for (const entry of entries) {
    if (entry.isFile) files.push(await fileOf(entry as FileSystemFileEntry));
    else if (entry.isDirectory) {
      for (const child of await children(entry as FileSystemDirectoryEntry))
        if (child.isFile) files.push(await fileOf(child as FileSystemFileEntry));
    }
  }
  return files;
}

const fileOf = (e: FileSystemFileEntry) => new Promise<File>((resolve, reject) => e.file(resolve, reject));

async function children(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries returns at most 100 entries a call: read until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}
