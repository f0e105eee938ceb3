import Handlebars from 'handlebars';

export type TemplateField = 'subject' | 'html' | 'text';

export interface CampaignTemplates {
  subject: string;
  html: string | null;
  text: string | null;
}

/** Why a template cannot be used; `code` is stable (translated as `campaigns.template.<code>`). */
export interface TemplateError {
  field: TemplateField;
  code: 'syntax' | 'unknown-variable' | 'unsupported';
  params: Record<string, string>;
}

export interface TemplateCheck {
  errors: TemplateError[];
  /** Variables a row must fill: those printed outside an `{{#if}}` / `{{#unless}}` on the same variable. */
  required: string[];
}

export interface RenderedMessage {
  subject: string;
  html: string | null;
  text: string | null;
}

// The only helpers a campaign template may use: recipients' variables are flat strings, so loops, lookups and
// partials have nothing to do; fewer features also means less surface for a template written by a tenant user.
const CONDITIONALS = new Set(['if', 'unless']);

// An environment of our own: nothing registered on the global Handlebars (the page views) leaks into campaigns.
const handlebars = Handlebars.create();

/**
 * Checks the templates against the sheet's columns before anything is stored: a template that names a column
 * the sheet does not have is an error now, not a failure at the 40,000th recipient.
 */
export function checkTemplates(templates: CampaignTemplates, columns: readonly string[]): TemplateCheck {
  const known = new Set(columns.filter((name) => name !== ''));
  const errors: TemplateError[] = [];
  const required = new Set<string>();
  for (const [field, source] of fields(templates)) {
    let program: hbs.AST.Program;
    try {
      program = handlebars.parse(source);
    } catch (error) {
      errors.push({ field, code: 'syntax', params: { reason: firstLine(error) } });
      continue;
    }
    walk(program.body, new Set(), {
      variable: (name, guarded) => {
        if (!known.has(name)) errors.push({ field, code: 'unknown-variable', params: { name } });
        else if (!guarded) required.add(name);
      },
      unsupported: (what) => errors.push({ field, code: 'unsupported', params: { what } }),
    });
  }
  return { errors, required: [...required] };
}

/** Compiled once per campaign; `render` then runs per recipient. */
export function compileTemplates(templates: CampaignTemplates): (variables: Record<string, string>) => RenderedMessage {
  // strict: a missing variable throws instead of printing nothing (checkTemplates has already excluded it);
  // knownHelpersOnly: no helper outside the built-in ones can be called. Prototype access stays off (Handlebars ≥ 4.6 default).
  const options = { strict: true, knownHelpersOnly: true };
  const subject = handlebars.compile(templates.subject, { ...options, noEscape: true });
  const html = templates.html === null ? null : handlebars.compile(templates.html, options);
  const text = templates.text === null ? null : handlebars.compile(templates.text, { ...options, noEscape: true });
  return (variables) => {
    // A null-prototype copy: `{{constructor}}` finds nothing even if it were allowed through.
    const data = Object.assign(Object.create(null) as Record<string, string>, variables);
    return {
      // A header holds one line: a line break from a cell would start a new header.
      subject: subject(data)
        .replace(/[\r\n]+/g, ' ')
        .trim(),
      html: html ? html(data) : null,
      text: text ? text(data) : null,
    };
  };
}

function fields(templates: CampaignTemplates): [TemplateField, string][] {
  const all: [TemplateField, string | null][] = [
    ['subject', templates.subject],
    ['html', templates.html],
    ['text', templates.text],
  ];
  return all.filter((entry): entry is [TemplateField, string] => entry[1] !== null);
}

interface Visitor {
  variable(name: string, guarded: boolean): void;
  unsupported(what: string): void;
}

function walk(statements: readonly hbs.AST.Statement[], guards: ReadonlySet<string>, visitor: Visitor): void {
  for (const statement of statements) {
    switch (statement.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        break;
      case 'MustacheStatement': {
        const mustache = statement as hbs.AST.MustacheStatement;
        if (mustache.params.length > 0 || mustache.hash) visitor.unsupported(pathName(mustache.path));
        else variable(mustache.path, guards, visitor);
        break;
      }
      case 'BlockStatement': {
        const block = statement as hbs.AST.BlockStatement;
        const helper = pathName(block.path);
        const [condition, ...rest] = block.params;
        if (!CONDITIONALS.has(helper) || condition?.type !== 'PathExpression' || rest.length > 0 || block.hash) {
          visitor.unsupported(helper);
          break;
        }
        const name = variable(condition, guards, visitor, true);
        const inner = name === undefined ? guards : new Set([...guards, name]);
        walk(block.program.body, inner, visitor);
        if (block.inverse) walk(block.inverse.body, guards, visitor);
        break;
      }
      default:
        // Partials, decorators and raw blocks.
        visitor.unsupported(statement.type);
    }
  }
}

/** A plain variable reference (`{{nome}}`, `{{[Codice fiscale]}}`); anything else (`this`, `@index`, `a.b`, `../x`) is refused. */
function variable(node: hbs.AST.Expression, guards: ReadonlySet<string>, visitor: Visitor, condition = false): string | undefined {
  if (node.type !== 'PathExpression') {
    visitor.unsupported(node.type);
    return undefined;
  }
  const path = node as hbs.AST.PathExpression;
  const name = path.parts[0];
  if (path.data || path.depth > 0 || path.parts.length !== 1 || name === undefined) {
    visitor.unsupported(path.original);
    return undefined;
  }
  visitor.variable(name, condition || guards.has(name));
  return name;
}

function pathName(node: hbs.AST.Expression): string {
  return node.type === 'PathExpression' ? (node as hbs.AST.PathExpression).original : node.type;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
