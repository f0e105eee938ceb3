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
  { href: '/profile', icon: 'profile', label: 'area.profile', hint: 'area.profile.hint' },
  { href: '/admin/users', icon: 'users', label: 'area.users', hint: 'area.users.hint', roles: ['admin', 'manager'] },
  { href: '/admin/offices', icon: 'offices', label: 'area.offices', hint: 'area.offices.hint', roles: ['admin'] },
  { href: '/admin/policies', icon: 'policies', label: 'area.policies', hint: 'area.policies.hint', roles: ['admin'] },
  { href: '/admin/audit', icon: 'audit', label: 'area.audit', hint: 'area.audit.hint', roles: ['admin'] },
  { href: '/api/docs', icon: 'api', label: 'area.api', hint: 'area.api.hint', roles: ['admin'] },
];

export function tilesFor(roles: readonly string[]): DesktopTile[] {
  return DESKTOP_TILES.filter((tile) => !tile.roles || tile.roles.some((role) => roles.includes(role)));
}
