import { Injectable } from '@nestjs/common';
import type { Principal } from '../access/principal.js';
import type { Locale } from '../i18n/locale.js';
import type { MessageKey } from '../i18n/translate.js';

export interface DesktopTile {
  href: string;
  icon: string;
  label: MessageKey;
  hint: MessageKey;
  /** Who sees the tile; absent means every signed-in user. */
  roles?: string[];
}

/** The areas of the desktop page (pagina desktop). Each module adds its tile here when its pages exist. */
export const DESKTOP_TILES: readonly DesktopTile[] = [
  { href: '/tasks', icon: 'tasks', label: 'area.tasks', hint: 'area.tasks.hint' },
  { href: '/pec/messages', icon: 'mailboxes', label: 'area.pecMessages', hint: 'area.pecMessages.hint' },
  { href: '/processes', icon: 'processes', label: 'area.processes', hint: 'area.processes.hint' },
  { href: '/processes/sla', icon: 'sla', label: 'area.sla', hint: 'area.sla.hint', roles: ['admin', 'manager'] },
  { href: '/processes/definitions', icon: 'definitions', label: 'area.definitions', hint: 'area.definitions.hint', roles: ['admin'] },
  { href: '/profile', icon: 'profile', label: 'area.profile', hint: 'area.profile.hint' },
  { href: '/admin/users', icon: 'users', label: 'area.users', hint: 'area.users.hint', roles: ['admin', 'manager'] },
  { href: '/admin/offices', icon: 'offices', label: 'area.offices', hint: 'area.offices.hint', roles: ['admin'] },
  {
    href: '/admin/mailboxes',
    icon: 'mailboxes',
    label: 'area.mailboxes',
    hint: 'area.mailboxes.hint',
    roles: ['admin', 'manager', 'operator'],
  },
  { href: '/campaigns', icon: 'campaigns', label: 'area.campaigns', hint: 'area.campaigns.hint', roles: ['admin', 'manager', 'operator'] },
  { href: '/admin/pec-routing', icon: 'routing', label: 'area.pecRouting', hint: 'area.pecRouting.hint', roles: ['admin'] },
  { href: '/admin/policies', icon: 'policies', label: 'area.policies', hint: 'area.policies.hint', roles: ['admin'] },
  { href: '/admin/incidents', icon: 'incidents', label: 'area.incidents', hint: 'area.incidents.hint', roles: ['admin'] },
  { href: '/admin/audit', icon: 'audit', label: 'area.audit', hint: 'area.audit.hint', roles: ['admin'] },
  { href: '/api/docs', icon: 'api', label: 'area.api', hint: 'area.api.hint', roles: ['admin'] },
];

export function tilesFor(roles: readonly string[]): DesktopTile[] {
  return DESKTOP_TILES.filter((tile) => !tile.roles || tile.roles.some((role) => roles.includes(role)));
}

/** A tile whose text comes from data (a solution's model) rather than the catalogue, already in the user's language. */
export interface DataTile {
  href: string;
  icon: string;
  label: string;
  hint: string;
}

/** What one module puts on a principal's desktop, already in their language. */
export type DesktopSource<T> = (principal: Principal, locale: Locale) => Promise<T[]>;

/** Modules add sources at start; the desktop asks them all for each principal. */
class DesktopSources<T> {
  private readonly sources: DesktopSource<T>[] = [];

  add(source: DesktopSource<T>): void {
    this.sources.push(source);
  }

  async collect(principal: Principal, locale: Locale): Promise<T[]> {
    return (await Promise.all(this.sources.map((source) => source(principal, locale)))).flat();
  }
}

/** Modules whose areas are data (solutions: one tile per entity list the user may see) add their tiles here. */
@Injectable()
export class DesktopTileSources extends DesktopSources<DataTile> {}

/** Notices at the top of the desktop (a low balance): a source answers nothing when all is well. */
@Injectable()
export class DesktopNoticeSources extends DesktopSources<string> {}
