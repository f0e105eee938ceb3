import { readBpmn } from './bpmn-reader.js';
import { EngineRun } from './engine-run.js';
import { serviceTaskModel } from './service-task-io.js';

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';

async function taskOf(attrs: string, io: string) {
  const read = await readBpmn(`<bpmn:definitions ${NS} id="D"><bpmn:process id="p" isExecutable="true">
    <bpmn:serviceTask id="T" ${attrs}><bpmn:extensionElements><camunda:inputOutput>${io}</camunda:inputOutput></bpmn:extensionElements></bpmn:serviceTask>
  </bpmn:process></bpmn:definitions>`);
  if (!read.ok) throw new Error('unreadable');
  return serviceTaskModel(read.parsed.elementsById.T as unknown as Record<string, unknown>);
}

describe('camunda:inputOutput of service tasks', () => {
  it('reads the topic and evaluates text, expressions, text around expressions, maps, lists and empty parameters', async () => {
    const model = await taskOf(
      'camunda:type="external" camunda:topic="notify"',
      `<camunda:outputParameter name="numero">\${pratica.numero}</camunda:outputParameter>
       <camunda:outputParameter name="doppio">\${importo * 2}</camunda:outputParameter>
       <camunda:outputParameter name="oggetto">Pratica \${pratica.numero}: \${pratica}</camunda:outputParameter>
       <camunda:outputParameter name="fisso">testo</camunda:outputParameter>
       <camunda:outputParameter name="vuoto" />
       <camunda:outputParameter name="mappa"><camunda:map>
         <camunda:entry key="esito">\${esito}</camunda:entry>
         <camunda:entry key="copie"><camunda:list><camunda:value>a</camunda:value><camunda:value>\${importo}</camunda:value></camunda:list></camunda:entry>
       </camunda:map></camunda:outputParameter>`,
    );
    expect(model).toMatchObject({ topic: 'notify', type: 'external', javaImplementation: null, inputs: [] });
    const variables = { pratica: { numero: 17 }, importo: 50 };
    expect(EngineRun.outputVariables(model.outputs, variables, { esito: 'ok' })).toEqual({
      numero: 17,
      doppio: 100,
      oggetto: 'Pratica 17: {"numero":17}',
      fisso: 'testo',
      vuoto: null,
      mappa: { esito: 'ok', copie: ['a', 50] },
    });
  });

  it('takes the whole answer as variables when there are no output parameters', async () => {
    const model = await taskOf('camunda:topic="set-variables"', '<camunda:inputParameter name="a">1</camunda:inputParameter>');
    expect(EngineRun.outputVariables(model.outputs, { x: 1 }, { a: '1' })).toEqual({ a: '1' });
  });

  it('names a Java implementation', async () => {
    expect((await taskOf('camunda:delegateExpression="${invia}"', '')).javaImplementation).toBe('camunda:delegateExpression');
  });
});
