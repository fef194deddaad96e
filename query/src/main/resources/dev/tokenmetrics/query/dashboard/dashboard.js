/*
 * The usage dashboard (docs/DASHBOARD.md). Served by the receiver, it polls the JSON API under /api/v1/ every few
 * seconds; written into a file by `claude-token-metrics --html FILE`, it reads the same answers from the file
 * (script#embedded-data) and does not poll. It draws what the API says and computes no figure of its own beyond
 * stacking the models' costs.
 */
(function () {
  'use strict';

  const POLL_MS = 5000;
  const SESSIONS_SHOWN = 50;
  const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const MODEL_COLOURS = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#d53f8c', '#319795', '#b7791f', '#718096'];
  const TOKEN_TYPES = [
    ['inputTokens', 'Input', '#2b6cb0'], ['outputTokens', 'Output', '#dd6b20'],
    ['cacheCreationTokens', 'Cache create', '#38a169'], ['cacheReadTokens', 'Cache read', '#805ad5']];

  const embeddedNode = document.getElementById('embedded-data');
  const embedded = embeddedNode ? JSON.parse(embeddedNode.textContent) : null;
  const charts = {};
  const state = { since: null, until: null, session: null };

  const byId = (id) => document.getElementById(id);

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function row(cells, tag) {
    const tr = document.createElement('tr');
    cells.forEach((cell) => tr.appendChild(cell instanceof Node ? wrap(tag || 'td', cell) : element(tag || 'td', cell)));
    return tr;
  }

  function wrap(tag, node) {
    const cell = document.createElement(tag);
    cell.appendChild(node);
    return cell;
  }

  // ---- formatting: costs are exact decimals in the API; shown to the cent (to 1/100 cent below a cent)

  function usd(value) {
    if (value === null || value === undefined) {
      return 'unpriced';
    }
    const amount = Number(value);
    const digits = amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2;
    return '$' + amount.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function count(value) {
    return Number(value).toLocaleString('en-US');
  }

  function setFigure(id, text, value) {
    const node = byId(id);
    node.textContent = text;
    node.dataset.value = value === null || value === undefined ? '' : String(value);
  }

  function localDate(date) {
    const month = String(date.getMonth() + 1).padStart(2, '0');
    const day = String(date.getDate()).padStart(2, '0');
    return date.getFullYear() + '-' + month + '-' + day;
  }

  function dayStart(text) {
    const [year, month, day] = text.split('-').map(Number);
    return new Date(year, month - 1, day).getTime() / 1000;
  }

  // ---- data: the API, or the answers embedded in a report file

  function rangeParameters(extra) {
    const parameters = new URLSearchParams(extra || {});
    if (state.since) {
      parameters.set('since', state.since);
    }
    if (state.until) {
      parameters.set('until', state.until);
    }
    return parameters;
  }

  async function load(key, path, parameters) {
    if (embedded) {
      if (!(key in embedded)) {
        throw new Error(key + ' is not in this file');
      }
      return embedded[key];
    }
    const query = parameters && parameters.toString();
    const response = await fetch(path + (query ? '?' + query : ''), { cache: 'no-store', credentials: 'omit' });
    if (!response.ok) {
      let message = response.status + ' ' + response.statusText;
      try {
        message = (await response.json()).error || message;
      } catch (ignored) {
        // not JSON: the status says it
      }
      throw new Error(path + ': ' + message);
    }
    return response.json();
  }

  // ---- the range picker

  function applyPreset() {
    const preset = byId('range-preset').value;
    byId('range').classList.toggle('custom-range', preset === 'custom');
    if (preset === 'custom') {
      state.since = byId('since').value || null;
      state.until = byId('until').value || null;
    } else if (preset === 'all') {
      state.since = null;
      state.until = null;
    } else {
      const since = new Date();
      since.setDate(since.getDate() - (Number(preset) - 1));
      state.since = localDate(since);
      state.until = null;
    }
    updateDownloads();
  }

  function updateDownloads() {
    if (embedded) {
      byId('downloads').hidden = true;
      return;
    }
    byId('download-csv').href = 'api/v1/report?' + rangeParameters({ report: 'daily', format: 'csv' });
    byId('download-json').href = 'api/v1/report?' + rangeParameters({ report: 'daily' });
    byId('download-sessions').href = 'api/v1/report?' + rangeParameters({ report: 'session', format: 'csv' });
  }

  // ---- today, the block, the budget

  function showSummary(summary) {
    const today = summary.today;
    setFigure('today-cost', usd(today.totalCost), today.totalCost);
    setFigure('today-requests', count(today.requests), today.requests);
    setFigure('today-exact', usd(today.exactCost), today.exactCost);
    setFigure('today-input', count(today.inputTokens), today.inputTokens);
    setFigure('today-output', count(today.outputTokens), today.outputTokens);
    setFigure('today-cache-creation', count(today.cacheCreationTokens), today.cacheCreationTokens);
    setFigure('today-cache-read', count(today.cacheReadTokens), today.cacheReadTokens);
    setFigure('today-total', count(today.totalTokens), today.totalTokens);
    setFigure('active-sessions', count(summary.activeSessions), summary.activeSessions);
    const budget = summary.budget;
    byId('budget-card').hidden = !budget;
    if (budget) {
      const lines = byId('budget');
      lines.replaceChildren(
        element('p', usd(today.totalCost) + ' of ' + usd(budget.daily) + ' today (' + budget.todayPercent + ' %)'),
        element('p', usd(budget.monthSpent) + ' of ' + usd(budget.monthBudget) + ' in ' + budget.month
          + ' (' + budget.monthPercent + ' %)'),
        element('p', 'Month-end forecast at this rate: ' + usd(budget.monthEndForecast)));
      lines.dataset.forecast = String(budget.monthEndForecast);
      lines.classList.toggle('over', budget.todayPercent >= 100 || budget.monthPercent >= 100);
    }
  }

  function showBlock(blocks) {
    const active = blocks.blocks.find((block) => block.isActive);
    const node = byId('block');
    if (!active) {
      node.replaceChildren(element('p', 'No active block'));
      node.dataset.value = '';
      return;
    }
    const ends = new Date(active.endTime).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const parts = [element('p', usd(active.costUSD), 'big'),
      element('p', count(active.totalTokens) + ' tokens; ends ' + ends
        + (active.projection ? ' (' + active.projection.remainingMinutes + ' min left)' : ''))];
    if (active.projection) {
      parts.push(element('p', 'Projected: ' + usd(active.projection.totalCost) + ', '
        + count(active.projection.totalTokens) + ' tokens', 'note'));
    }
    node.replaceChildren(...parts);
    node.dataset.value = String(active.costUSD);
  }

  // ---- charts (uPlot)

  function chartWidth(id) {
    return Math.max(320, byId(id).clientWidth);
  }

  /** Replaces the chart when its series change; otherwise only its data, so a poll does not flicker. */
  function draw(id, signature, options, data) {
    const existing = charts[id];
    if (existing && existing.signature === signature) {
      existing.chart.setData(data);
      return;
    }
    if (existing) {
      existing.chart.destroy();
    }
    const chart = new uPlot(Object.assign({ width: chartWidth(id), height: 280 }, options), data, byId(id));
    charts[id] = { chart, signature };
    if (!document.documentElement.dataset.firstChart) {
      document.documentElement.dataset.firstChart = String(Math.round(performance.now()));
    }
  }

  /**
   * Every day of the range, so that the charts show the days without use as such (and uPlot does not stretch a
   * single day over years): from the range's start, or the first day with use, to its end or today.
   */
  function rangeDays(daily) {
    const first = state.since || (daily.daily.length ? daily.daily[0].date : null);
    if (!first) {
      return [];
    }
    const lastUsed = daily.daily.length ? daily.daily[daily.daily.length - 1].date : first;
    const last = state.until || (embedded ? lastUsed : localDate(new Date()));
    const days = [];
    for (let day = new Date(dayStart(first) * 1000); localDate(day) <= last; day.setDate(day.getDate() + 1)) {
      days.push(localDate(day));
    }
    return days;
  }

  /** The daily report's rows by date, for {@link rangeDays}. */
  function byDate(daily) {
    return new Map(daily.daily.map((day) => [day.date, day]));
  }

  /** Cost per day, one bar per day with the models stacked, the costliest at the bottom. */
  function showCost(daily) {
    const totals = new Map();
    daily.daily.forEach((day) => day.modelBreakdowns.forEach((model) => {
      totals.set(model.modelName, (totals.get(model.modelName) || 0) + Number(model.cost || 0));
    }));
    const models = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || a.localeCompare(b));
    const days = rangeDays(daily);
    const rows = byDate(daily);
    const x = days.map(dayStart);
    const own = models.map((name) => days.map((date) => {
      const found = rows.has(date) && rows.get(date).modelBreakdowns.find((model) => model.modelName === name);
      return found ? Number(found.cost || 0) : 0;
    }));
    // uPlot does not stack: each series is drawn to its running sum, the tallest first so the others overlay it
    // (a day without use is null, not a bar of height 0)
    const stacked = own.map((values, i) => values.map((value, d) => own.slice(0, i + 1)
      .reduce((sum, series) => sum + series[d], 0) || null));
    const order = models.map((name, i) => i).reverse();
    const bars = uPlot.paths.bars({ size: [0.8, 40] });
    const series = [{ label: 'Day', value: (u, v) => (v === null ? '' : localDate(new Date(v * 1000))) }]
      .concat(order.map((i) => ({
        label: models[i],
        stroke: MODEL_COLOURS[i % MODEL_COLOURS.length],
        fill: MODEL_COLOURS[i % MODEL_COLOURS.length],
        paths: bars,
        points: { show: false },
        value: (u, v, s, index) => (index === null || index === undefined ? '' : usd(own[i][index])),
      })));
    draw('chart-cost', 'cost:' + models.join('|'), {
      series,
      scales: { x: { time: true } },
      axes: [{}, { values: (u, ticks) => ticks.map((tick) => axisUsd(tick, ticks)), size: 70 }],
    }, [x].concat(order.map((i) => stacked[i])));
    const total = daily.totals.totalCost;
    setFigure('range-total', usd(total) + ', ' + count(daily.totals.totalTokens) + ' tokens in the range', total);
    byId('range-total').dataset.tokens = String(daily.totals.totalTokens);
  }

  function showTokens(daily) {
    const days = rangeDays(daily);
    const rows = byDate(daily);
    const x = days.map(dayStart);
    draw('chart-tokens', 'tokens', {
      series: [{ label: 'Day', value: (u, v) => (v === null ? '' : localDate(new Date(v * 1000))) }]
        .concat(TOKEN_TYPES.map(([, label, colour]) => ({
          label, stroke: colour, width: 2, value: (u, v) => (v === null ? '' : count(v)),
        }))),
      scales: { x: { time: true } },
      axes: [{}, { values: (u, ticks) => ticks.map((tick) => compact(tick)), size: 60 }],
    }, [x].concat(TOKEN_TYPES.map(([field]) => days.map((date) => (rows.has(date) ? rows.get(date)[field] : 0)))));
  }

  /** A tick of the cost axis, with as many decimals as its neighbours need to differ. */
  function axisUsd(tick, ticks) {
    const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
    const digits = Math.min(6, Math.max(0, Math.ceil(-Math.log10(step))));
    return '$' + tick.toFixed(digits);
  }

  function compact(value) {
    return Number(value).toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 });
  }

  // ---- tables

  function showRanked(id, rows, keyField) {
    const table = byId(id);
    const max = rows.reduce((most, item) => Math.max(most, Number(item.totalCost || 0)), 0);
    const body = document.createElement('tbody');
    rows.slice(0, 15).forEach((item) => {
      const bar = element('span', null, 'bar');
      bar.style.width = (max > 0 ? 100 * Number(item.totalCost || 0) / max : 0) + '%';
      const name = document.createElement('div');
      name.append(element('span', item[keyField]), bar);
      body.appendChild(row([name, usd(item.totalCost), count(item.totalTokens), count(item.requests)]));
    });
    const head = document.createElement('thead');
    head.appendChild(row([keyField === 'project' ? 'Project' : 'Branch', 'Cost', 'Tokens', 'Requests'], 'th'));
    table.replaceChildren(head, body);
  }

  function showHeatmap(heatmap) {
    const cells = new Map(heatmap.cells.map((cell) => [cell.weekday * 24 + cell.hour, cell]));
    const priced = heatmap.cells.some((cell) => Number(cell.totalCost || 0) > 0);
    const value = (cell) => (priced ? Number(cell.totalCost || 0) : cell.totalTokens);
    const max = heatmap.cells.reduce((most, cell) => Math.max(most, value(cell)), 0);
    const table = byId('heatmap');
    const head = row([''].concat([...Array(24).keys()].map((hour) => String(hour).padStart(2, '0'))), 'th');
    const rows = DAY_NAMES.map((name, index) => {
      const tr = row([name], 'th');
      for (let hour = 0; hour < 24; hour++) {
        const cell = cells.get((index + 1) * 24 + hour);
        const td = element('td');
        if (cell) {
          td.className = 'used';
          td.style.opacity = String(0.15 + 0.85 * (max > 0 ? value(cell) / max : 0));
          td.title = name + ' ' + String(hour).padStart(2, '0') + ':00 - ' + usd(cell.totalCost) + ', '
            + count(cell.totalTokens) + ' tokens, ' + count(cell.requests) + ' requests';
        }
        tr.appendChild(td);
      }
      return tr;
    });
    table.replaceChildren(head, ...rows);
  }

  function showSessions(report) {
    const sessions = report.sessions.slice().reverse();
    const head = row(['Last activity', 'Session', 'Project', 'Branch', 'Models', 'Requests', 'Tokens', 'Cost'], 'th');
    const body = document.createElement('tbody');
    sessions.forEach((session) => {
      const tr = row([new Date(session.lastActivityTime).toLocaleString(), session.sessionId.slice(0, 8),
        session.projects.map(lastSegment).join(', '), session.branches.join(', '),
        session.modelsUsed.join(', '), count(session.requests), count(session.totalTokens), usd(session.totalCost)]);
      tr.dataset.session = session.sessionId;
      tr.classList.toggle('selected', session.sessionId === state.session);
      tr.addEventListener('click', () => selectSession(session.sessionId));
      body.appendChild(tr);
    });
    const thead = document.createElement('thead');
    thead.appendChild(head);
    byId('sessions').replaceChildren(thead, body);
  }

  function lastSegment(path) {
    const parts = path.split('/').filter(Boolean);
    return parts.length ? parts[parts.length - 1] : path;
  }

  async function selectSession(id) {
    state.session = id;
    document.querySelectorAll('#sessions tbody tr').forEach((tr) => {
      tr.classList.toggle('selected', tr.dataset.session === id);
    });
    const target = byId('session-requests');
    if (embedded) {
      target.replaceChildren(element('p', 'Requests are listed by the live dashboard only.', 'note'));
      return;
    }
    try {
      const answer = await load('requests', 'api/v1/requests', rangeParameters({ session: id }));
      const table = element('table');
      table.id = 'requests-table';
      table.appendChild(row(['Time', 'Model', 'Input', 'Output', 'Cache create', 'Cache read', 'Cost'], 'th'));
      answer.requests.forEach((request) => table.appendChild(row([new Date(request.time).toLocaleString(),
        request.model, count(request.inputTokens), count(request.outputTokens), count(request.cacheCreationTokens),
        count(request.cacheReadTokens), usd(request.totalCost)])));
      const title = element('h2', 'Requests of session ' + id
        + (answer.omitted > 0 ? ' (the last ' + answer.requests.length + '; ' + answer.omitted + ' earlier)' : ''));
      target.replaceChildren(title, table);
    } catch (error) {
      target.replaceChildren(element('p', error.message, 'status error'));
    }
  }

  /** The report the command was asked for (a file only): its rows as a table, in the command's order. */
  function showReport(name, report) {
    const rows = Object.values(report).find(Array.isArray) || [];
    const key = (item) => item.date || item.week || item.month || item.sessionId || item.project || item.branch
      || item.model || item.agent || item.hour || item.startTime || '';
    byId('report-title').textContent = 'Report: ' + name;
    const head = document.createElement('thead');
    head.appendChild(row(['', 'Requests', 'Input', 'Output', 'Cache create', 'Cache read', 'Tokens', 'Cost'], 'th'));
    const body = document.createElement('tbody');
    rows.forEach((item) => {
      const tokens = item.tokenCounts || item;
      body.appendChild(row([key(item), count(item.requests), count(tokens.inputTokens), count(tokens.outputTokens),
        count(tokens.cacheCreationTokens !== undefined ? tokens.cacheCreationTokens : tokens.cacheCreationInputTokens),
        count(tokens.cacheReadTokens !== undefined ? tokens.cacheReadTokens : tokens.cacheReadInputTokens),
        count(item.totalTokens), usd(item.totalCost !== undefined ? item.totalCost : item.costUSD)]));
    });
    byId('report').replaceChildren(head, body);
    byId('report-section').hidden = false;
  }

  // ---- refreshing

  /** What changes when the ledger gains a request (new requests land today): a poll that sees none skips the rest. */
  function todayKey(summary) {
    const today = summary.today;
    return [summary.date, today.requests, today.totalTokens, today.totalCost, summary.activeSessions].join('|');
  }

  let lastKey = null;

  /**
   * Asks for everything at once and draws each part as its answer arrives, the daily chart first. A poll asks for
   * the summary alone first and for the rest only when today changed: a year's range is seconds of the receiver's
   * work, not to be repeated every 5 seconds for nothing.
   */
  async function refresh(everything) {
    const status = byId('status');
    const yesterday = new Date();
    yesterday.setDate(yesterday.getDate() - 1);
    let summary = null;
    if (!everything) {
      try {
        summary = await load('summary', 'api/v1/summary');
      } catch (error) {
        status.className = 'status error';
        status.textContent = error.message;
        return;
      }
      showSummary(summary);
      if (todayKey(summary) === lastKey) {
        status.className = 'status';
        status.textContent = 'Checked ' + new Date().toLocaleTimeString() + '; refreshed every ' + POLL_MS / 1000
          + ' s';
        return;
      }
    }
    // the daily report first, alone: the receiver answers one query at a time, in the order they arrive
    const daily = load('daily', 'api/v1/report', rangeParameters({ report: 'daily' })).then((answer) => {
      showCost(answer);
      showTokens(answer);
    });
    await daily.catch(() => null); // its failure is reported with the others' below
    const parts = [
      daily,
      (summary ? Promise.resolve(summary) : load('summary', 'api/v1/summary')).then((answer) => {
        summary = answer;
        showSummary(answer);
      }),
      load('blocks', 'api/v1/report', new URLSearchParams({ report: 'blocks', since: localDate(yesterday) }))
        .then(showBlock),
      load('project', 'api/v1/report', rangeParameters({ report: 'project' }))
        .then((answer) => showRanked('projects', answer.projects, 'project')),
      load('branch', 'api/v1/report', rangeParameters({ report: 'branch' }))
        .then((answer) => showRanked('branches', answer.branches, 'branch')),
      load('heatmap', 'api/v1/heatmap', rangeParameters()).then(showHeatmap),
      load('session', 'api/v1/report', rangeParameters({ report: 'session', limit: SESSIONS_SHOWN }))
        .then(showSessions),
    ];
    if (embedded && embedded.report) {
      showReport(embedded.reportName, embedded.report);
    }
    const failed = (await Promise.allSettled(parts)).find((part) => part.status === 'rejected');
    if (failed) {
      status.className = 'status error';
      status.textContent = failed.reason.message;
      return;
    }
    lastKey = todayKey(summary);
    status.className = 'status';
    status.textContent = embedded ? 'Written ' + new Date(summary.now).toLocaleString()
      : 'Updated ' + new Date().toLocaleTimeString() + '; refreshed every ' + POLL_MS / 1000 + ' s';
    document.documentElement.dataset.refreshes = String(Number(document.documentElement.dataset.refreshes || 0) + 1);
  }

  async function poll() {
    await refresh(lastKey === null);
    if (!embedded) {
      setTimeout(poll, POLL_MS);
    }
  }

  function start() {
    if (embedded) {
      byId('range').hidden = true;
      state.since = embedded.since || null;
      state.until = embedded.until || null;
    } else {
      // a link may choose the range: /#range=365 (a preset's value)
      const asked = new URLSearchParams(location.hash.slice(1)).get('range');
      if (asked && [...byId('range-preset').options].some((option) => option.value === asked)) {
        byId('range-preset').value = asked;
      }
      byId('range').addEventListener('change', () => {
        applyPreset();
        refresh(true);
      });
      applyPreset();
    }
    updateDownloads();
    poll();
  }

  start();
}());
