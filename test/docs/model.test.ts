import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../../lib/config/loader.ts';
import type { Project } from '../../lib/core/model/project.ts';
import { escapeHtml } from '../../lib/docs/html.ts';
import { type LineageEdge, nodeKey } from '../../lib/docs/lineage.ts';
import { buildDocsModel, type DocsModel, headerComment } from '../../lib/docs/model.ts';
import { renderSite } from '../../lib/docs/render-site.ts';
import { fixtureReports } from './fixture-reports.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const edge = (e: LineageEdge) => `${nodeKey(e.from)} -> ${nodeKey(e.to)}`;

describe('the docs model of the shipped project', () => {
  let project: Project;
  let model: DocsModel;

  before(() => {
    // Prepare
    project = loadProject(REPO_ROOT);
    // Act
    model = buildDocsModel({ project, environment: 'dev', reports: fixtureReports(), now: new Date('2026-01-03') });
  });

  test("a TxMA event's stage column is traced to the raw struct field it is read from", () => {
    // Assess
    const edges = model.lineage.edges.filter((e) => e.via === 'auth_create_account').map(edge);
    assert.ok(
      edges.includes('raw.auth_create_account.user.user_id -> stage.auth_account_creation.user_id'),
      edges.join('\n'),
    );
    assert.ok(edges.includes('raw.auth_create_account.timestamp -> stage.auth_account_creation.event_at'));
    // A column computed from several fields has an edge from each.
    for (const part of ['year', 'month', 'day']) {
      assert.ok(edges.includes(`raw.auth_create_account.${part} -> stage.auth_account_creation.processed_date`));
    }
  });

  test('a reporting column is traced through the procedure temp table to each stage table it reads', () => {
    // Assess
    const into = model.lineage.edges
      .filter(
        (e) => e.to.kind === 'reporting' && e.to.table === 'fact_user_journey_event' && e.to.column === 'event_id',
      )
      .map(edge);
    for (const family of ['auth_account_creation', 'ipv_identity_journey', 'dcmaw_app_journey', 'orch_spot']) {
      assert.ok(
        into.includes(`stage.${family}.event_id -> reporting.fact_user_journey_event.event_id`),
        into.join('\n'),
      );
    }
    // Through a join to another reporting table, the edge stops at that table.
    assert.ok(
      model.lineage.edges
        .map(edge)
        .includes('reporting.dim_event.event_key -> reporting.fact_user_journey_event.event_key'),
    );
  });

  test('every transform and procedure statement parses: no lineage gaps in the shipped project', () => {
    assert.deepEqual(model.lineage.gaps, []);
  });

  test('tables carry columns, grain, deduplication and the newest result of each check', () => {
    // Assess
    const stage = model.tables.find((t) => t.kind === 'stage' && t.name === 'auth_account_creation');
    assert.ok(stage);
    assert.ok(stage.columns.some((c) => c.name === 'processed_date' && c.partition && c.type === 'date'));
    assert.deepEqual(stage.deduplication, {
      key: ['event_id'],
      orderBy: ['event_at', 'processed_date'],
      keep: 'earliest',
    });
    assert.match(stage.grain?.find((g) => g.from === 'auth_create_account')?.text ?? '', /one row per event_id/);
    const unique = stage.checks.find((c) => c.name === 'unique_event_id');
    assert.equal(unique?.last?.status, 'FAILED');
    assert.equal(unique?.last?.failing_count, 3);
    assert.equal(unique?.last?.runId, 'run-newest');
    const fact = model.tables.find((t) => t.kind === 'reporting' && t.name === 'fact_user_journey_event');
    assert.ok(fact?.columns.some((c) => c.name === 'event_id' && c.type === 'varchar(128)'));
    assert.match(fact?.grain?.[0]?.text ?? '', /Grain: one row per TxMA event_id/);
  });

  test('events and runs carry the last run: status, rows, bytes, late files', () => {
    const event = model.events.find((e) => e.name === 'auth_create_account');
    assert.equal(event?.last?.runId, 'run-newest');
    assert.equal(event?.last?.lateFiles, 2);
    assert.deepEqual(
      model.runs.map((r) => [r.run_id, r.status, r.rows_written, r.late_files]),
      [
        ['run-newest', 'PARTIAL', 1500, 2],
        ['run-older', 'SUCCEEDED', 1500, 0],
      ],
    );
    const userJourney = model.reportingFamilies.find((r) => r.name === 'user_journey');
    assert.ok(userJourney?.tables.includes('fact_user_journey_event'));
  });
});

test('config text is escaped wherever the site writes it', () => {
  // Prepare
  const project = loadProject(REPO_ROOT);
  const stage = project.stageTables.get('auth_account_creation');
  assert.ok(stage);
  const hostile = '<script>alert("x")</script>';
  const stageTables = new Map(project.stageTables);
  stageTables.set('auth_account_creation', {
    ...stage,
    description: hostile,
    columns: stage.columns.map((c, i) => (i === 0 ? { ...c, description: `<img src=x onerror=alert(1)>` } : c)),
  });
  // Act
  const pages = renderSite(
    buildDocsModel({ project: { ...project, stageTables }, environment: '<b>env</b>', reports: [] }),
  );
  // Assess
  const html = pages.get('stage-auth_account_creation.html') ?? '';
  assert.ok(!html.includes(hostile) && html.includes(escapeHtml(hostile)));
  assert.ok(!html.includes('<img src=x') && !html.includes('<b>env</b>'));
  assert.ok(!(pages.get('index.html') ?? '').includes(hostile));
});

test('a transform with an unknown placeholder or a literal ? is a lineage gap or read, never a crash', () => {
  // Prepare: what `dap check` flags, and `dap docs` must still render.
  const project = loadProject(REPO_ROOT);
  const sql = project.insertSql.get('auth_create_account');
  assert.ok(sql);
  const insertSql = new Map(project.insertSql);
  insertSql.set('auth_create_account', { ...sql, text: sql.text.replace('{{raw_database}}', '{{x}}') });
  const withQuestionMark = new Map(project.insertSql);
  withQuestionMark.set('auth_create_account', { ...sql, text: sql.text.replace(':window_from', '?') });
  // Act
  const model = buildDocsModel({ project: { ...project, insertSql }, environment: 'dev', reports: [] });
  const build = () =>
    buildDocsModel({ project: { ...project, insertSql: withQuestionMark }, environment: 'dev', reports: [] });
  // Assess
  assert.deepEqual(
    model.lineage.gaps.map((g) => [g.file, g.reason]),
    [[sql.file, 'unknown placeholder {{x}}']],
  );
  assert.ok(!model.lineage.edges.some((e) => e.via === 'auth_create_account'));
  assert.doesNotThrow(build);
});

test("headerComment is the transform's leading comments, without their markers", () => {
  assert.equal(headerComment('-- one row per event_id\n-- of X\ninsert into t select 1'), 'one row per event_id\nof X');
  assert.equal(headerComment('insert into t select 1 -- late'), undefined);
});
