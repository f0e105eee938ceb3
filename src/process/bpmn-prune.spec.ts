import { Engine } from 'bpmn-engine';
import { readBpmn, readDeployedBpmn } from './bpmn-reader.js';
import { listOf } from './bpmn-tree.js';

/** What real exports carry (MIWG C.1.0, C.3.0, B.2.0, C.4.0): declarations around one user task with a bare potentialOwner. */
const DECLARED = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definizioni" targetNamespace="http://example.com">
  <bpmn:itemDefinition id="Tipo" structureRef="string" />
  <bpmn:resource id="Ufficio" name="Ufficio protocollo" />
  <bpmn:message id="Richiesta" name="richiesta" itemRef="Tipo" />
  <bpmn:interface id="Servizio" name="Protocollo"><bpmn:operation id="Registra" name="registra"><bpmn:inMessageRef>Richiesta</bpmn:inMessageRef></bpmn:operation></bpmn:interface>
  <bpmn:endPoint id="Indirizzo" />
  <bpmn:partnerEntity id="Ente" name="Comune" />
  <bpmn:partnerRole id="Fornitore" name="Fornitore" />
  <bpmn:globalUserTask id="Globale" name="Mai chiamato" />
  <bpmn:process id="Processo" isExecutable="true">
    <bpmn:dataObject id="Pratica" itemSubjectRef="Tipo" />
    <bpmn:startEvent id="Inizio" />
    <bpmn:userTask id="Esamina" camunda:candidateGroups="operator">
      <bpmn:potentialOwner id="Proprietario"><bpmn:resourceRef>Ufficio</bpmn:resourceRef></bpmn:potentialOwner>
    </bpmn:userTask>
    <bpmn:endEvent id="Fine" />
    <bpmn:sequenceFlow id="F1" sourceRef="Inizio" targetRef="Esamina" />
    <bpmn:sequenceFlow id="F2" sourceRef="Esamina" targetRef="Fine" />
  </bpmn:process>
</bpmn:definitions>`;

describe('declarations nothing runs', () => {
  it('are dropped from the parsed model, and bpmn-engine then runs it to the user task', async () => {
    const read = await readBpmn(DECLARED);
    if (!read.ok) throw new Error(JSON.stringify(read.problem));
    expect(listOf(read.definitions, 'rootElements').map((root) => root.$type)).toEqual(['bpmn:Message', 'bpmn:Process']);
    const engine = new Engine({ name: 'prune-check', moddleContext: read.parsed });
    const execution = await engine.execute();
    expect(execution.getPostponed().map((api) => api.id)).toEqual(['Esamina']);
    await engine.stop();
  });

  it('are dropped once for the runtime too, which keeps the parse', async () => {
    const first = await readDeployedBpmn(DECLARED);
    expect(await readDeployedBpmn(DECLARED)).toBe(first);
    if (!first.ok) throw new Error(JSON.stringify(first.problem));
    expect(listOf(first.definitions, 'rootElements')).toHaveLength(2);
  });
});
