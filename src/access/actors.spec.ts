import { ActorSyntaxError, parseActor, parseActors } from './actors.js';

describe('actors', () => {
  it('reads every kind, and a bare word as a role', () => {
    expect(
      parseActors(
        'operator, role:Manager@Direzione/Protocollo ,office:Direzione/*, office:Ragioneria, group:Commissione gare, user:A@Demo.test',
      ),
    ).toEqual([
      { kind: 'role', role: 'operator', office: null },
      { kind: 'role', role: 'manager', office: 'Direzione/Protocollo' },
      { kind: 'office', office: 'Direzione', withSubOffices: true },
      { kind: 'office', office: 'Ragioneria', withSubOffices: false },
      { kind: 'group', group: 'Commissione gare' },
      { kind: 'user', email: 'a@demo.test' },
    ]);
  });

  it('refuses an unknown kind or an empty reference, saying which', () => {
    expect(() => parseActor('team:x')).toThrow(ActorSyntaxError);
    expect(() => parseActor('team:x')).toThrow(/unknown kind "team"/);
    expect(() => parseActor('group:')).toThrow(/nothing after/);
  });
});
