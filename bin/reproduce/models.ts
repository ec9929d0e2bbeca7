import path from 'node:path';
import { modelLabel } from '../../figures/props';
import type { OnnxModel } from '../../format/onnx/model';
import type { Role } from '../../reproduce/plan';
import type { SweepRun } from '../../training/sweep/grid';
import { closeAll } from '../figures/build';
import { openModel, type Opened } from '../figures/data';
import { openModelFile } from '../model/files';

/**
 * The checkpoints of a reproduction's headline runs, opened when first needed: the decoded file for what reads
 * weights and graph (receptive field), a probe session (onnxruntime-node, attention found) only for what runs
 * attention, since a conv-only run has none to find. Every checkpoint is runs/NAME/model.onnx, so labels name
 * the role and the run instead of the file.
 */
export class RoleModels {
  private files = new Map<string, OnnxModel>();
  private sessions = new Map<string, Opened>();

  constructor(
    private runsDir: string,
    readonly roles: Map<string, { role: Role; run: SweepRun }>,
  ) {}

  private entry(key: string) {
    const e = this.roles.get(key);
    if (!e) throw new Error(`no run for role ${key} at this scale`);
    return e;
  }

  path(key: string): string {
    return path.join(this.runsDir, this.entry(key).run.name, 'model.onnx');
  }

  label(key: string): string {
    const { role, run } = this.entry(key);
    return `${role.label}: ${modelLabel(run.name, this.file(key).manifest)}`;
  }

  file(key: string): OnnxModel {
    let m = this.files.get(key);
    if (!m) {
      m = openModelFile(this.path(key));
      this.files.set(key, m);
    }
    return m;
  }

  async session(key: string): Promise<Opened> {
    let m = this.sessions.get(key);
    if (!m) {
      const opened = await openModel(this.path(key));
      m = { ...opened, name: this.entry(key).run.name, label: this.label(key) };
      this.sessions.set(key, m);
    }
    return m;
  }

  async close(): Promise<void> {
    await closeAll(this.sessions);
  }
}
