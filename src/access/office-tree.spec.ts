import type { Office } from './office.entity.js';
import { OfficeTree, splitPath } from './office-tree.js';

const office = (id: string, name: string, parentId: string | null): Office => ({
  id,
  parentId,
  name,
  tenantId: 't',
  createdAt: new Date(),
  updatedAt: new Date(),
});

describe('OfficeTree', () => {
  const tree = new OfficeTree([
    office('1', 'Direzione', null),
    office('2', 'Protocollo', '1'),
    office('3', 'Ragioneria', '1'),
    office('4', 'Protocollo', null),
  ]);

  it('finds offices by path, case-insensitively, telling apart same names in different places', () => {
    expect(tree.find('Direzione/Protocollo')?.id).toBe('2');
    expect(tree.find(' direzione > protocollo ')?.id).toBe('2');
    expect(tree.find('Protocollo')?.id).toBe('4');
    expect(tree.find('Direzione/Archivio')).toBeUndefined();
    expect(tree.path('3')).toBe('Direzione/Ragioneria');
  });

  it('lists an office with everything below it, and the whole tree depth first', () => {
    expect(tree.subtree('1').sort()).toEqual(['1', '2', '3']);
    expect(tree.ordered().map((o) => `${o.depth}:${o.path}`)).toEqual([
      '0:Direzione',
      '1:Direzione/Protocollo',
      '1:Direzione/Ragioneria',
      '0:Protocollo',
    ]);
    expect(splitPath('/a//b/')).toEqual(['a', 'b']);
  });
});
