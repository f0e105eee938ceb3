import { Injectable } from '@nestjs/common';
import type { Office } from './office.entity.js';
import { OfficeRepository } from './repositories.js';

export const OFFICE_PATH_SEPARATOR = '/';

/** The tenant's offices as a tree: paths ("Direzione/Protocollo") and sub-trees. Small enough to load whole. */
export class OfficeTree {
  private readonly byId: Map<string, Office>;
  private readonly children = new Map<string | null, Office[]>();

  constructor(readonly offices: Office[]) {
    this.byId = new Map(offices.map((office) => [office.id, office]));
    for (const office of offices) {
      const siblings = this.children.get(office.parentId) ?? [];
      siblings.push(office);
      this.children.set(office.parentId, siblings);
    }
    for (const siblings of this.children.values()) siblings.sort((a, b) => a.name.localeCompare(b.name, 'it'));
  }

  get(id: string): Office | undefined {
    return this.byId.get(id);
  }

  path(id: string): string {
    const names: string[] = [];
    for (let office = this.byId.get(id); office; office = office.parentId ? this.byId.get(office.parentId) : undefined)
      names.unshift(office.name);
    return names.join(OFFICE_PATH_SEPARATOR);
  }

  /** The office at a path such as "Direzione/Protocollo" (case-insensitive), if it exists. */
  find(path: string): Office | undefined {
    let parent: string | null = null;
    let found: Office | undefined;
    for (const name of splitPath(path)) {
      found = (this.children.get(parent) ?? []).find((office) => office.name.toLowerCase() === name.toLowerCase());
      if (!found) return undefined;
      parent = found.id;
    }
    return found;
  }

  /** The office and every office below it. */
  subtree(id: string): string[] {
    const ids: string[] = [];
    const stack = [id];
    while (stack.length > 0) {
      const current = stack.pop()!;
      ids.push(current);
      for (const child of this.children.get(current) ?? []) stack.push(child.id);
    }
    return ids;
  }

  /** Depth-first, for pickers and lists: each office with its depth. */
  ordered(): { office: Office; depth: number; path: string }[] {
    const out: { office: Office; depth: number; path: string }[] = [];
    const walk = (parent: string | null, depth: number): void => {
      for (const office of this.children.get(parent) ?? []) {
        out.push({ office, depth, path: this.path(office.id) });
        walk(office.id, depth + 1);
      }
    };
    walk(null, 0);
    return out;
  }
}

export function splitPath(path: string): string[] {
  return path
    .split(/[/>]/)
    .map((segment) => segment.trim())
    .filter((segment) => segment.length > 0);
}

@Injectable()
export class OfficeTreeLoader {
  constructor(private readonly offices: OfficeRepository) {}

  async load(): Promise<OfficeTree> {
    return new OfficeTree(await this.offices.find());
  }
}
