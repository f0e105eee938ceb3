import { validateBpmn, type BpmnVerdict } from './bpmn-validator.js';
import type { BpmnProblem } from './bpmn-problem.js';

/** The built-in plugs' names: what a workspace's service tasks may call. */
const PLUGS = new Set(['call-process', 'notify', 'set-variables']);
const validate = (xml: string) => validateBpmn(xml, PLUGS);

const NS =
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="http://bpmn.io/schema/bpmn"';

/** A file with one executable process holding `body`, plus optional root elements. */
function bpmn(body: string, roots = '', executable = true): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="Definitions_1">
  ${roots}
  <bpmn:process id="Processo" name="Processo di prova" isExecutable="${String(executable)}">${body}</bpmn:process>
</bpmn:definitions>`;
}

/** start → body → end, with the flows given by ids. */
const line = (task: string, taskId = 'Task_1') => `
  <bpmn:startEvent id="Start" />
  ${task}
  <bpmn:endEvent id="End" />
  <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="${taskId}" />
  <bpmn:sequenceFlow id="F2" sourceRef="${taskId}" targetRef="End" />`;

const userTask = (attrs = 'camunda:candidateGroups="operator"', inner = '') =>
  `<bpmn:userTask id="Task_1" name="Esamina" ${attrs}>${inner}</bpmn:userTask>`;

function problems(verdict: BpmnVerdict): BpmnProblem[] {
  if (verdict.ok) throw new Error(`expected a refusal, got ${JSON.stringify(verdict)}`);
  return verdict.problems;
}

/** A file as Camunda Modeler writes it: camunda: namespace, candidate groups, a PT1H boundary timer, an XOR on `esito`. */
const CAMUNDA_MODELER_FILE = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="Definitions_0x1" exporter="Camunda Modeler" exporterVersion="5.23.0">
  <bpmn:process id="protocollo-pec" name="Protocollo PEC" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1" name="PEC ricevuta">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Esamina" name="Esamina la PEC" camunda:candidateGroups="role:operator@Direzione/Protocollo, manager" camunda:formKey="pec-review">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Sollecito" name="Un'ora" cancelActivity="false" attachedToRef="Esamina">
      <bpmn:outgoing>Flow_5</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerEventDefinition_1">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:exclusiveGateway id="Esito" name="Esito?" default="Flow_4">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
      <bpmn:outgoing>Flow_4</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="Approvata" name="Approvata"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="Respinta" name="Respinta"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="Sollecitata" name="Sollecito inviato"><bpmn:incoming>Flow_5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Esamina" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Esamina" targetRef="Esito" />
    <bpmn:sequenceFlow id="Flow_3" name="approvata" sourceRef="Esito" targetRef="Approvata">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${esito == "approvata"}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Esito" targetRef="Respinta" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Sollecito" targetRef="Sollecitata" />
  </bpmn:process>
</bpmn:definitions>`;

describe('validateBpmn', () => {
  it('accepts a Camunda Modeler file: candidate groups, PT1H boundary timer, ${ } conditions on an exclusive gateway', async () => {
    expect(await validate(CAMUNDA_MODELER_FILE)).toEqual({
      ok: true,
      processes: [{ key: 'protocollo-pec', name: 'Protocollo PEC' }],
      warnings: [],
    });
  });

  it('answers every executable process of a file, in order', async () => {
    const second = `<bpmn:process id="Secondo" isExecutable="true"><bpmn:startEvent id="S2" /><bpmn:endEvent id="E2" />
      <bpmn:sequenceFlow id="F21" sourceRef="S2" targetRef="E2" /></bpmn:process>`;
    const verdict = await validate(bpmn(line(userTask()), second));
    expect(verdict).toEqual({
      ok: true,
      processes: [
        { key: 'Secondo', name: null },
        { key: 'Processo', name: 'Processo di prova' },
      ],
      warnings: [],
    });
  });

  it.each([
    ['plain text', 'questo non è XML'],
    ['an empty file', ''],
    ['broken XML', '<bpmn:definitions'],
    ['binary bytes', '\u0000\u0001PK\u0003\u0004'],
  ])('refuses %s as not XML or not BPMN, without throwing', async (_what, input) => {
    const [problem] = problems(await validate(input));
    expect(['not-xml', 'not-bpmn']).toContain(problem!.code);
    expect(problem!.elementId).toBe('definitions');
  });

  it('refuses XML that is not BPMN', async () => {
    expect(problems(await validate('<?xml version="1.0"?><fattura><numero>1</numero></fattura>'))[0]).toMatchObject({
      code: 'not-bpmn',
    });
  });

  it('refuses a file with no executable process', async () => {
    expect(problems(await validate(bpmn(line(userTask()), '', false)))).toEqual([
      { elementId: 'Definitions_1', code: 'no-executable-process' },
    ]);
  });

  it.each([
    ['bpmn:GlobalUserTask', '<bpmn:globalUserTask id="Globale" name="Globale" />'],
    ['bpmn:GlobalTask', '<bpmn:globalTask id="Globale" />'],
    ['bpmn:GlobalManualTask', '<bpmn:globalManualTask id="Globale" />'],
    ['bpmn:ItemDefinition', '<bpmn:itemDefinition id="Tipo" structureRef="xsd:string" />'],
    ['bpmn:Resource', '<bpmn:resource id="Risorsa" name="Ufficio" />'],
    [
      'bpmn:Interface',
      '<bpmn:message id="Richiesta" name="richiesta" /><bpmn:interface id="Servizio" name="Protocollo"><bpmn:operation id="Registra" name="registra"><bpmn:inMessageRef>Richiesta</bpmn:inMessageRef></bpmn:operation></bpmn:interface>',
    ],
    ['bpmn:EndPoint', '<bpmn:endPoint id="Indirizzo" />'],
    ['bpmn:PartnerEntity', '<bpmn:partnerEntity id="Ente" name="Comune" />'],
    ['bpmn:PartnerRole', '<bpmn:partnerRole id="Fornitore" name="Fornitore" />'],
  ])('accepts the declaration %s, which nothing runs, and loads the model without it', async (_type, root) => {
    expect(await validate(bpmn(line(userTask()), root))).toEqual({
      ok: true,
      processes: [{ key: 'Processo', name: 'Processo di prova' }],
      warnings: [],
    });
  });

  it('accepts a data object typed by an item definition, the declaration being dropped', async () => {
    const typed = '<bpmn:dataObject id="Pratica" itemSubjectRef="Tipo" />' + line(userTask());
    expect(await validate(bpmn(typed, '<bpmn:itemDefinition id="Tipo" structureRef="xsd:string" />'))).toMatchObject({ ok: true });
  });

  it('still refuses a correlation property: dropping it would change which instance a message reaches', async () => {
    const root = '<bpmn:correlationProperty id="Protocollo" name="protocollo" />';
    expect(problems(await validate(bpmn(line(userTask()), root)))).toContainEqual(
      expect.objectContaining({ elementId: 'Protocollo', code: 'unsupported-element', params: { type: 'bpmn:CorrelationProperty' } }),
    );
  });

  it('refuses flow elements the engine does not implement, and content moddle cannot read', async () => {
    const complex = line('<bpmn:complexGateway id="Task_1" />');
    expect(problems(await validate(bpmn(complex)))).toContainEqual({
      elementId: 'Task_1',
      code: 'unsupported-element',
      params: { type: 'bpmn:ComplexGateway' },
    });
    const unknown = bpmn(line(userTask()) + '<bpmn:magicTask id="Magia" />');
    expect(problems(await validate(unknown))).toContainEqual(
      expect.objectContaining({ code: 'unknown-content', params: { tag: 'bpmn:magicTask' } }),
    );
  });

  it('ignores potentialOwner and humanPerformer (with or without an expression): candidates come from camunda: attributes', async () => {
    const resource = '<bpmn:resource id="Risorsa" name="Ufficio" />';
    const owner = '<bpmn:potentialOwner id="Owner"><bpmn:resourceRef>Risorsa</bpmn:resourceRef></bpmn:potentialOwner>';
    const performer =
      '<bpmn:humanPerformer id="Performer"><bpmn:resourceAssignmentExpression id="Chi"><bpmn:formalExpression>operator</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:humanPerformer>';
    expect(await validate(bpmn(line(userTask(undefined, owner + performer)), resource))).toMatchObject({ ok: true, warnings: [] });
    // Named only there, the task names nobody the runtime reads: deployed with the warning below.
    expect(await validate(bpmn(line(userTask('', owner)), resource))).toMatchObject({
      ok: true,
      warnings: [{ elementId: 'Task_1', elementName: 'Esamina', code: 'user-task-without-actor' }],
    });
  });

  it('deploys a user task with neither candidateGroups nor assignee with a warning: it will go to the admins', async () => {
    expect(await validate(bpmn(line(userTask('camunda:candidateUsers="mario"'))))).toEqual({
      ok: true,
      processes: [{ key: 'Processo', name: 'Processo di prova' }],
      warnings: [{ elementId: 'Task_1', elementName: 'Esamina', code: 'user-task-without-actor' }],
    });
  });

  it('accepts an assignee alone, and refuses candidate groups that are not actors', async () => {
    expect((await validate(bpmn(line(userTask('camunda:assignee="${richiedente}"'))))).ok).toBe(true);
    const bad = userTask('camunda:candidateGroups="operator, squadra:rossa, ${gruppo}, Capo Ufficio, office:Direzione/*"');
    expect(problems(await validate(bpmn(line(bad)))).map((p) => p.params?.value)).toEqual(['squadra:rossa', '${gruppo}', 'Capo Ufficio']);
  });

  it('refuses script tasks and script conditions (node:vm is no sandbox)', async () => {
    const script = line('<bpmn:scriptTask id="Task_1" scriptFormat="javascript"><bpmn:script>next()</bpmn:script></bpmn:scriptTask>');
    expect(problems(await validate(bpmn(script)))).toEqual([{ elementId: 'Task_1', code: 'script-task' }]);
    const condition = bpmn(`
      <bpmn:startEvent id="Start" /><bpmn:endEvent id="End" />
      <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="End">
        <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">next(null, true)</bpmn:conditionExpression>
      </bpmn:sequenceFlow>`);
    expect(problems(await validate(condition))).toEqual([
      { elementId: 'F1', code: 'script-condition', params: { language: 'javascript' } },
    ]);
  });

  it.each([
    ['P30D', true],
    ['R3/PT10H', true],
    ['${scadenza}', true],
    ['0/5 0/1 * 1/1 * ?', 'timer-cron'],
    ['PTX', 'timer-invalid'],
    ['domani', 'timer-invalid'],
    ['${scadenza +}', 'expression-syntax'],
  ])('checks the timer value %s', async (value, expected) => {
    const timer = `<bpmn:intermediateCatchEvent id="Task_1"><bpmn:timerEventDefinition>
      <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${value}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`;
    const verdict = await validate(bpmn(line(timer)));
    if (expected === true) expect(verdict.ok).toBe(true);
    else expect(problems(verdict)).toEqual([expect.objectContaining({ elementId: 'Task_1', code: expected })]);
  });

  it('refuses a timer with no value, and an invalid time date', async () => {
    const empty = '<bpmn:intermediateCatchEvent id="Task_1"><bpmn:timerEventDefinition /></bpmn:intermediateCatchEvent>';
    expect(problems(await validate(bpmn(line(empty))))[0]).toMatchObject({ code: 'timer-missing' });
    const date = `<bpmn:intermediateCatchEvent id="Task_1"><bpmn:timerEventDefinition>
      <bpmn:timeDate xsi:type="bpmn:tFormalExpression">2030-13-45</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`;
    expect(problems(await validate(bpmn(line(date))))[0]).toMatchObject({ code: 'timer-invalid', params: { kind: 'timeDate' } });
    expect(await validate(bpmn(line(date.replace('2030-13-45', '2030-01-01T09:00:00Z'))))).toMatchObject({ ok: true });
  });

  it.each([
    ['${importo > 1000 && !approvata}', null],
    ['${richiedente.ufficio == "Protocollo"}', null],
    ['esito == "approvata"', 'expression-form'],
    ['= importo > 100', 'expression-form'],
    ['${esito == }', 'expression-syntax'],
    ['${environment.services.invia()}', 'expression-unsafe'],
    ['${nome|upper == "X"}', 'expression-unsafe'],
    ['${x["constructor"]}', 'expression-unsafe'],
  ])('checks the condition %s', async (condition, expected) => {
    const gateway = bpmn(`
      <bpmn:startEvent id="Start" /><bpmn:exclusiveGateway id="G" /><bpmn:endEvent id="End" />
      <bpmn:sequenceFlow id="F0" sourceRef="Start" targetRef="G" />
      <bpmn:sequenceFlow id="F1" sourceRef="G" targetRef="End">
        <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"><![CDATA[${condition}]]></bpmn:conditionExpression>
      </bpmn:sequenceFlow>`);
    const verdict = await validate(gateway);
    if (expected === null) expect(verdict.ok).toBe(true);
    else expect(problems(verdict)).toEqual([expect.objectContaining({ elementId: 'F1', code: expected })]);
  });

  it('refuses elements unreachable from any start event, and a process without start event', async () => {
    const island = bpmn(
      line(userTask()) +
        '<bpmn:task id="Isola" name="Isolato" /><bpmn:endEvent id="Fine2" /><bpmn:sequenceFlow id="F9" sourceRef="Isola" targetRef="Fine2" />',
    );
    expect(problems(await validate(island))).toEqual([
      { elementId: 'Isola', elementName: 'Isolato', code: 'unreachable' },
      { elementId: 'Fine2', code: 'unreachable' },
    ]);
    expect(problems(await validate(bpmn('<bpmn:task id="Solo" />')))).toEqual([
      { elementId: 'Processo', elementName: 'Processo di prova', code: 'no-start-event' },
    ]);
  });

  it('reaches boundary events, sub-processes, event sub-processes and link events', async () => {
    const body = `
      <bpmn:startEvent id="Start" />
      <bpmn:subProcess id="Sub"><bpmn:startEvent id="SubStart" /><bpmn:endEvent id="SubEnd" />
        <bpmn:sequenceFlow id="S1" sourceRef="SubStart" targetRef="SubEnd" /></bpmn:subProcess>
      <bpmn:boundaryEvent id="Errore" attachedToRef="Sub"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>
      <bpmn:intermediateThrowEvent id="Salta"><bpmn:linkEventDefinition name="A" /></bpmn:intermediateThrowEvent>
      <bpmn:intermediateCatchEvent id="Atterra"><bpmn:linkEventDefinition name="A" /></bpmn:intermediateCatchEvent>
      <bpmn:endEvent id="End" /><bpmn:endEvent id="EndErrore" />
      <bpmn:subProcess id="SuEvento" triggeredByEvent="true"><bpmn:startEvent id="EvStart"><bpmn:signalEventDefinition signalRef="Sig_stop" /></bpmn:startEvent></bpmn:subProcess>
      <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Sub" />
      <bpmn:sequenceFlow id="F2" sourceRef="Sub" targetRef="Salta" />
      <bpmn:sequenceFlow id="F3" sourceRef="Atterra" targetRef="End" />
      <bpmn:sequenceFlow id="F4" sourceRef="Errore" targetRef="EndErrore" />`;
    expect(await validate(bpmn(body, '<bpmn:signal id="Sig_stop" name="Stop" />'))).toMatchObject({ ok: true });
  });

  it('refuses signal events, caught or thrown, whose signal has no name', async () => {
    const body = `
      <bpmn:startEvent id="Start" />
      <bpmn:intermediateCatchEvent id="Attesa"><bpmn:signalEventDefinition /></bpmn:intermediateCatchEvent>
      <bpmn:intermediateThrowEvent id="Lancia"><bpmn:signalEventDefinition signalRef="Sig_anonimo" /></bpmn:intermediateThrowEvent>
      <bpmn:endEvent id="End" />
      <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Attesa" />
      <bpmn:sequenceFlow id="F2" sourceRef="Attesa" targetRef="Lancia" />
      <bpmn:sequenceFlow id="F3" sourceRef="Lancia" targetRef="End" />`;
    expect(problems(await validate(bpmn(body, '<bpmn:signal id="Sig_anonimo" />')))).toEqual([
      { elementId: 'Attesa', code: 'signal-missing' },
      { elementId: 'Lancia', code: 'signal-missing' },
    ]);
  });

  it('refuses sequence flows that point to missing elements', async () => {
    const broken = bpmn(line(userTask()) + '<bpmn:sequenceFlow id="Rotto" sourceRef="Task_1" targetRef="Fantasma" />');
    expect(problems(await validate(broken))).toEqual([{ elementId: 'Rotto', code: 'flow-missing-element', params: { ref: 'Fantasma' } }]);
  });

  it('refuses a converging inclusive gateway (not implemented by the engine)', async () => {
    const body = `
      <bpmn:startEvent id="Start" /><bpmn:inclusiveGateway id="Apri" /><bpmn:inclusiveGateway id="Unisci" /><bpmn:endEvent id="End" />
      <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Apri" />
      <bpmn:sequenceFlow id="F2" sourceRef="Apri" targetRef="Unisci" />
      <bpmn:sequenceFlow id="F3" sourceRef="Apri" targetRef="Unisci" />
      <bpmn:sequenceFlow id="F4" sourceRef="Unisci" targetRef="End" />`;
    expect(problems(await validate(bpmn(body)))).toEqual([{ elementId: 'Unisci', code: 'inclusive-join' }]);
  });

  it('refuses a call activity and a business rule task: the engine loads them, the runtime would fail the instance on them', async () => {
    const called = '<bpmn:process id="Chiamato" isExecutable="false"><bpmn:startEvent id="S2" /></bpmn:process>';
    const call = '<bpmn:callActivity id="Task_1" name="Chiama" calledElement="Chiamato" />';
    expect(problems(await validate(bpmn(line(call), called)))).toEqual([
      { elementId: 'Task_1', elementName: 'Chiama', code: 'call-activity' },
    ]);
    const rule = '<bpmn:businessRuleTask id="Task_1" camunda:decisionRef="sconto" />';
    expect(problems(await validate(bpmn(line(rule))))).toEqual([{ elementId: 'Task_1', code: 'business-rule-task' }]);
    // Only what runs matters: the same step in a process that is not executable is no refusal of its own.
    const idle = '<bpmn:process id="Altro"><bpmn:callActivity id="Chiamata" calledElement="Chiamato" /></bpmn:process>';
    expect(await validate(bpmn(line('<bpmn:task id="Task_1" />'), idle))).toMatchObject({ ok: true });
  });

  it('answers every problem of a file at once', async () => {
    const body = line(userTask('camunda:candidateGroups="#{gruppo}"')) + '<bpmn:scriptTask id="Script" />';
    expect(problems(await validate(bpmn(body))).map((p) => p.code)).toEqual(['script-task', 'invalid-actor', 'unreachable']);
  });
  describe('service and send tasks (plugs)', () => {
    const io = `<bpmn:extensionElements><camunda:inputOutput>
      <camunda:inputParameter name="to">role:operator</camunda:inputParameter>
      <camunda:inputParameter name="subject">Pratica \${pratica.numero} da esaminare</camunda:inputParameter>
      <camunda:inputParameter name="text">\${testo}</camunda:inputParameter>
      <camunda:inputParameter name="extra"><camunda:map><camunda:entry key="importo">\${importo * 2}</camunda:entry></camunda:map></camunda:inputParameter>
      <camunda:inputParameter name="copie"><camunda:list><camunda:value>a</camunda:value><camunda:value>\${b}</camunda:value></camunda:list></camunda:inputParameter>
      <camunda:outputParameter name="avvisati">\${notified}</camunda:outputParameter>
    </camunda:inputOutput></bpmn:extensionElements>`;
    const service = (attrs: string, inner = '', tag = 'serviceTask') =>
      `<bpmn:${tag} id="Task_1" name="Avvisa" ${attrs}>${inner}</bpmn:${tag}>`;

    it('accepts an external task whose topic is a plug, with input/output parameters (text, expressions, map, list)', async () => {
      expect(await validate(bpmn(line(service('camunda:type="external" camunda:topic="notify"', io))))).toMatchObject({ ok: true });
      expect(await validate(bpmn(line(service('camunda:type="external" camunda:topic="set-variables"', '', 'sendTask'))))).toMatchObject({
        ok: true,
      });
    });

    it('refuses a task without a topic, or with a topic no plug has, naming the plugs there are', async () => {
      expect(problems(await validate(bpmn(line(service('camunda:type="external"')))))).toEqual([
        {
          elementId: 'Task_1',
          elementName: 'Avvisa',
          code: 'service-task-without-topic',
          params: { known: 'call-process, notify, set-variables' },
        },
      ]);
      expect(problems(await validate(bpmn(line(service('camunda:type="external" camunda:topic="pec.send"', '', 'sendTask')))))).toEqual([
        {
          elementId: 'Task_1',
          elementName: 'Avvisa',
          code: 'unknown-plug',
          params: { topic: 'pec.send', known: 'call-process, notify, set-variables' },
        },
      ]);
    });

    it.each([
      ['camunda:class="it.ente.InviaPec"', 'camunda:class'],
      ['camunda:expression="${mailer.send(x)}"', 'camunda:expression'],
      ['camunda:delegateExpression="${inviaPec}"', 'camunda:delegateExpression'],
      ['camunda:type="dmn" camunda:topic="notify"', 'camunda:type="dmn"'],
    ])('refuses the Java implementation %s', async (attrs, kind) => {
      expect(problems(await validate(bpmn(line(service(attrs)))))).toEqual([
        { elementId: 'Task_1', elementName: 'Avvisa', code: 'service-task-implementation', params: { kind } },
      ]);
    });

    it('refuses a connector', async () => {
      const connector =
        '<bpmn:extensionElements><camunda:connector><camunda:connectorId>http-connector</camunda:connectorId></camunda:connector></bpmn:extensionElements>';
      expect(problems(await validate(bpmn(line(service('', connector))))).map((p) => p.params?.kind)).toEqual(['camunda:connector']);
    });

    it('refuses bad and unsafe expressions and scripts in parameters, tied to the task', async () => {
      const bad = `<bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="a">\${importo >}</camunda:inputParameter>
        <camunda:inputParameter name="b"><camunda:map><camunda:entry key="k">\${x["constructor"]}</camunda:entry></camunda:map></camunda:inputParameter>
        <camunda:inputParameter name="c"><camunda:script scriptFormat="javascript">1</camunda:script></camunda:inputParameter>
        <camunda:outputParameter name="d">\${upper(notified)}</camunda:outputParameter>
      </camunda:inputOutput></bpmn:extensionElements>`;
      const found = problems(await validate(bpmn(line(service('camunda:type="external" camunda:topic="notify"', bad)))));
      expect(found.map((p) => [p.elementId, p.code])).toEqual([
        ['Task_1', 'expression-syntax'],
        ['Task_1', 'expression-unsafe'],
        ['Task_1', 'io-script'],
        ['Task_1', 'expression-unsafe'],
      ]);
    });
  });
  it('takes the candidate groups from a process variable written exactly ${name}, and refuses any other expression', async () => {
    expect(await validate(bpmn(line(userTask('camunda:candidateGroups="${candidates}"'))))).toMatchObject({ ok: true });
    for (const groups of ['${routing.office}', '#{candidates}', 'operator, ${candidates}']) {
      const found = problems(await validate(bpmn(line(userTask(`camunda:candidateGroups="${groups}"`)))));
      expect(found.map((p) => p.code)).toContain('invalid-actor');
    }
  });
  it('takes an assignee from a process variable written exactly ${name}, and refuses any other expression', async () => {
    expect(await validate(bpmn(line(userTask('camunda:assignee="${requester}"'))))).toMatchObject({ ok: true });
    expect(await validate(bpmn(line(userTask('camunda:assignee="user:rita@demo.test"'))))).toMatchObject({ ok: true });
    for (const assignee of ['${requester.email}', '#{requester}', '${a} ${b}']) {
      expect(problems(await validate(bpmn(line(userTask(`camunda:assignee="${assignee}"`)))))).toEqual([
        { elementId: 'Task_1', elementName: 'Esamina', code: 'invalid-assignee', params: { value: assignee } },
      ]);
    }
  });
});
