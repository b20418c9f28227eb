import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { committableDay, eventWindow, pulledThroughDay } from '../../lib/core/window.ts';

const now = new Date('2024-03-10T15:00:00Z');

describe('event windows', () => {
  test('the clock settles the day before now minus the lateness', () => {
    const window = eventWindow({ watermark: '2024-03-05', now, latenessHours: 2 });
    assert.deepEqual(window, { from: '2024-03-05', to: '2024-03-09' });
    assert.equal(committableDay(window), '2024-03-09');
  });

  test('a completed pull reaches past the settled day, which stays the most a run commits', () => {
    const window = eventWindow({ watermark: '2024-03-05', now, latenessHours: 2, pulledThrough: '2024-03-10' });
    assert.deepEqual(window, { from: '2024-03-05', to: '2024-03-10', settled: '2024-03-09' });
    assert.equal(committableDay(window), '2024-03-09');
  });

  test('a pull older than the settled day changes nothing, nor does a backfill', () => {
    assert.deepEqual(eventWindow({ watermark: undefined, now, latenessHours: 2, pulledThrough: '2024-03-01' }), {
      from: '0000-00-00',
      to: '2024-03-09',
    });
    const replay = { from: '2024-03-01', to: '2024-03-02' };
    assert.deepEqual(
      eventWindow({ watermark: undefined, now, latenessHours: 2, replay, pulledThrough: '2024-03-10' }),
      {
        from: '2024-02-29',
        to: '2024-03-02',
      },
    );
  });

  test('complete_through counts as settled: it is committed', () => {
    const window = eventWindow({ watermark: undefined, now, latenessHours: 2, completeThrough: '2024-03-10' });
    assert.equal(committableDay(window), '2024-03-10');
  });
});

describe('the day completed pulls cover', () => {
  test('the day the last complete pull started, unless a pull running started that day', () => {
    const last_complete = { started_at: '2024-03-10T09:00:00.000Z' };
    assert.equal(pulledThroughDay({}), undefined);
    assert.equal(pulledThroughDay({ last_complete }), '2024-03-10');
    assert.equal(pulledThroughDay({ last_complete, active: { started_at: '2024-03-10T11:00:00.000Z' } }), '2024-03-09');
    assert.equal(pulledThroughDay({ last_complete, active: { started_at: '2024-03-11T00:10:00.000Z' } }), '2024-03-10');
  });
});
