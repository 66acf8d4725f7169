'use strict';
'require view';
'require poll';
'require dom';
'require ui';
'require floatgw.status as fgs';

// Status -> floatgw: this router and its peer as this router sees them, per
// instance: state, effective priority and what makes it up, the master's
// address, VIPs, DHCP role, lease channel, counters, the last transitions on
// a timeline; Switchover on the master. Polls `ubus call floatgw status`;
// when an answer is late or fails, the page says so and keeps the last one.

const POLL_S = 2;
// Late after this long without an answer (a lost router makes the request
// hang until LuCI's RPC timeout, 20 s).
const LATE_MS = 2 * POLL_S * 1000 + 1000;

const SVG_NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, children) {
	const el = document.createElementNS(SVG_NS, tag);
	for (const k in attrs)
		el.setAttribute(k, attrs[k]);
	(children || []).forEach(function(c) {
		el.appendChild(typeof c == 'string' ? document.createTextNode(c) : c);
	});
	return el;
}

/** The transitions as bands of state on a time axis ending now: each band
 * is one state from one transition to the next, each transition a tick
 * whose tooltip gives its time and reason. */
function timeline(inst) {
	const W = 720, H = 64, top = 8, band = 24, left = 4, right = 4;
	const ts = inst.transitions;
	const span = Math.max(60000, ts.length ? ts[0].agoMs * 1.1 : 0);
	const x = function(agoMs) { return left + (W - left - right) * (1 - agoMs / span); };
	const nodes = [];

	nodes.push(svg('rect', { x: left, y: top, width: W - left - right, height: band, fill: '#eee' }));
	ts.forEach(function(t, i) {
		const end = i + 1 < ts.length ? ts[i + 1].agoMs : 0;
		nodes.push(svg('rect', {
			'class': 'floatgw-band', 'data-state': t.to,
			x: x(t.agoMs), y: top, width: Math.max(1, x(end) - x(t.agoMs)), height: band
		}, [ svg('title', {}, [ '%s: %s'.format(fgs.STATE_LABELS[t.to] || t.to, t.reason) ]) ]));
	});
	ts.forEach(function(t) {
		nodes.push(svg('line', {
			'class': 'floatgw-tick', x1: x(t.agoMs), x2: x(t.agoMs), y1: top - 4, y2: top + band + 4, stroke: '#333'
		}, [ svg('title', {}, [ '%s  %s -> %s: %s'.format(t.at, t.from, t.to, t.reason) ]) ]));
	});
	nodes.push(svg('text', { x: left, y: H - 6, 'font-size': 12 }, [ _('%s ago').format(fgs.duration(span)) ]));
	nodes.push(svg('text', { x: W - right, y: H - 6, 'font-size': 12, 'text-anchor': 'end' }, [ _('now') ]));
	// The legend, between the two ends of the axis.
	[ 'master', 'backup', 'fault', 'init' ].forEach(function(state, i) {
		const lx = W / 2 - 150 + i * 80;
		nodes.push(svg('rect', { 'class': 'floatgw-legend', 'data-state': state, x: lx, y: H - 16, width: 10, height: 10 }));
		nodes.push(svg('text', { x: lx + 14, y: H - 7, 'font-size': 12 }, [ fgs.STATE_LABELS[state] ]));
	});

	return svg('svg', {
		'class': 'floatgw-timeline', viewBox: '0 0 %d %d'.format(W, H), role: 'img',
		'aria-label': _('Transitions of %s').format(inst.name)
	}, [ svg('style', {}, [ [
		'rect[data-state]{fill:#999}',
		'rect[data-state="master"]{fill:#2e7d32}',
		'rect[data-state="backup"]{fill:#1565c0}',
		'rect[data-state="fault"]{fill:#c62828}'
	].join('') ]) ].concat(nodes));
}

function row(label, value, name) {
	return E('tr', { 'class': 'tr', 'data-row': name }, [
		E('td', { 'class': 'td left', 'width': '25%' }, label),
		E('td', { 'class': 'td left' }, [].concat(value))
	]);
}

function table(rows) {
	return E('table', { 'class': 'table' }, rows);
}

/** This router and its peer, side by side. */
function pairTable(inst, status) {
	const peer = fgs.peerOf(inst, status.leaseChannel);
	const contributions = E('ul', { 'class': 'floatgw-contrib' }, inst.priority.contributions.map(function(c) {
		return E('li', { 'data-source': c.source }, [ '%s%d %s (%s)'.format(c.value < 0 ? '' : '+', c.value, c.source, c.detail) ]);
	}));
	const since = inst.lastTransition
		? _('for %s: %s').format(fgs.duration(inst.lastTransition.agoMs), inst.lastTransition.reason) : '';

	return E('table', { 'class': 'table floatgw-pair' }, [
		E('tr', { 'class': 'tr table-titles' }, [
			E('th', { 'class': 'th' }, ''),
			E('th', { 'class': 'th' }, _('This router')),
			E('th', { 'class': 'th' }, _('Peer'))
		]),
		E('tr', { 'class': 'tr', 'data-row': 'address' }, [
			E('td', { 'class': 'td' }, _('Address')),
			E('td', { 'class': 'td', 'data-side': 'self' }, [ inst.primary || '-' ]),
			E('td', { 'class': 'td', 'data-side': 'peer' }, [ peer.address || '-' ])
		]),
		E('tr', { 'class': 'tr', 'data-row': 'state' }, [
			E('td', { 'class': 'td' }, _('State')),
			E('td', { 'class': 'td', 'data-side': 'self' }, [ fgs.stateBadge(inst.state), ' ', since ]),
			E('td', { 'class': 'td', 'data-side': 'peer' }, [ peer.state ? fgs.stateBadge(peer.state) : '', ' ', peer.detail ])
		]),
		E('tr', { 'class': 'tr', 'data-row': 'priority' }, [
			E('td', { 'class': 'td' }, _('Priority')),
			E('td', { 'class': 'td', 'data-side': 'self' }, [
				E('strong', { 'data-effective': inst.priority.effective }, [ fgs.priorityText(inst.priority) ]), contributions
			]),
			E('td', { 'class': 'td', 'data-side': 'peer' }, [ peer.priority != null ? String(peer.priority) : '-' ])
		])
	]);
}

function leaseChannelRows(lc) {
	if (lc == null)
		return [];
	const c = lc.counters;
	return [
		row(_('Lease channel'), lc.degraded == null
			? E('span', { 'data-health': 'ok' }, [ _('OK: peer %s heard %s ago').format(lc.peer, fgs.duration(lc.lastRxMsAgo)) ])
			: E('span', { 'data-health': 'degraded' }, [ _('degraded: %s').format(lc.degraded) ]), 'lease-channel'),
		row(_('Leases'), _('%d held; datagrams rx %d, tx %d (failed %d), resyncs %d; rejected %s').format(
			lc.leases.length, c.rx, c.tx, c.txFailed, c.resyncs,
			Object.keys(c.rejected).map(function(k) { return '%s %d'.format(k, c.rejected[k]); }).join(', ')), 'leases')
	];
}

function countersText(c) {
	if (c == null)
		return '-';
	const drops = Object.keys(c.drops).map(function(k) { return '%s %d'.format(k, c.drops[k]); });
	return _('adverts rx %d, tx %d; priority 0 rx %d, tx %d; became master %d; transitions %d; address mismatch %d; other master seen %d; dropped: %s').format(
		c.advertsRx, c.advertsTx, c.priorityZeroRx, c.priorityZeroTx, c.becameMaster, c.transitions,
		c.addressMismatch, c.otherMasterSeen, drops.length ? drops.join(', ') : _('none'));
}

return view.extend({
	load: function() {
		return fgs.callStatus().then(function(status) {
			return { status: status };
		}, function(err) {
			return { error: fgs.explainFailure(err) };
		});
	},

	/** Switchover: confirm with the hold time, then ask the daemon. */
	handleSwitchover: function(inst) {
		const hold = E('input', {
			'id': 'floatgw-hold', 'type': 'number', 'min': 0, 'max': fgs.HOLD_MAX_S,
			'value': fgs.HOLD_DEFAULT_S, 'class': 'cbi-input-text'
		});
		const go = L.bind(function() {
			const s = Number(hold.value);
			if (!Number.isInteger(s) || s < 0 || s > fgs.HOLD_MAX_S) {
				hold.classList.add('cbi-input-invalid');
				return;
			}
			ui.hideModal();
			return fgs.callSwitchover(inst.name, s).then(L.bind(function(res) {
				if (res && res.error)
					ui.addNotification(null, E('p', { 'class': 'floatgw-result' }, [ _('Switchover refused: %s').format(res.error) ]), 'danger');
				else
					ui.addNotification(null, E('p', { 'class': 'floatgw-result' }, [ _('%s resigned: the peer takes over; this router will not take the VIPs back for %d s.').format(inst.name, res.hold) ]), 'info');
				return this.refresh();
			}, this), function(err) {
				ui.addNotification(null, E('p', {}, [ fgs.explainFailure(err).text ]), 'danger');
			});
		}, this);

		ui.showModal(_('Switch over %s?').format(inst.name), [
			E('p', {}, [ _('This router resigns as master of %s (VRID %d): it sends priority 0 and keeps answering for %s until the peer is heard taking over, so no client loses a packet.').format(inst.name, inst.vrid, inst.vips.join(', ')) ]),
			E('p', {}, [ E('label', { 'for': 'floatgw-hold' }, _('Do not take the VIPs back for (seconds, 0-%d): ').format(fgs.HOLD_MAX_S)), hold ]),
			E('div', { 'class': 'right' }, [
				E('button', { 'class': 'btn cbi-button', 'click': ui.hideModal }, _('Cancel')), ' ',
				E('button', { 'class': 'btn cbi-button cbi-button-negative important', 'id': 'floatgw-confirm', 'click': go }, _('Switch over'))
			])
		]);
	},

	renderSwitchover: function(inst) {
		if (inst.state == 'master')
			return E('div', { 'class': 'cbi-section-actions' }, [
				E('button', {
					'class': 'btn cbi-button cbi-button-action important floatgw-switchover', 'data-instance': inst.name,
					'click': ui.createHandlerFn(this, 'handleSwitchover', inst)
				}, _('Switchover…'))
			]);
		const master = inst.master && inst.master != inst.primary ? inst.master : null;
		return E('p', { 'class': 'floatgw-not-master' }, master
			? [ _('This router is not the master of %s, so it cannot hand it over. The master is %s: ').format(inst.name, master),
				E('a', { 'href': '%s//%s%s'.format(location.protocol, master.indexOf(':') >= 0 ? '[' + master + ']' : master, L.url('admin/status/floatgw')) }, _('open its status page')), '.' ]
			: [ _('This router is not the master of %s, so it cannot hand it over; no master is known.').format(inst.name) ]);
	},

	renderInstance: function(inst, status) {
		const family = inst.family == 6 ? 'IPv6' : 'IPv4';
		const vips = inst.vips.join(', ') + ' ' + (inst.vipPresent ? _('(on this router)') : _('(not here)'));
		return E('div', { 'class': 'cbi-section floatgw-instance', 'data-instance': inst.name, 'data-state': inst.state }, [
			E('h3', {}, [ _('%s: VRID %d on %s, VRRPv%d %s %s').format(inst.name, inst.vrid, inst.device, inst.version, family, inst.mode) ]),
			pairTable(inst, status),
			table([
				row(_('Master'), fgs.masterText(inst), 'master'),
				row(_('Virtual addresses'), vips, 'vips'),
				row(_('DHCP'), E('span', { 'data-dhcp': inst.dhcp }, [ fgs.DHCP_LABELS[inst.dhcp] || inst.dhcp ]), 'dhcp')
			].concat(inst.dhcp != 'off' ? leaseChannelRows(status.leaseChannel) : []).concat([
				row(_('Counters'), countersText(inst.counters), 'counters')
			])),
			E('h4', {}, _('Last transitions')),
			inst.transitions.length ? timeline(inst) : E('p', {}, _('none yet')),
			this.renderSwitchover(inst)
		]);
	},

	renderStatus: function(result) {
		if (result.error)
			return E('div', { 'class': 'alert-message warning floatgw-error', 'data-kind': result.error.kind }, [ result.error.text ]);
		const s = result.status;
		const head = E('p', { 'class': 'floatgw-daemon' }, [ _('floatgwd %s, pid %d, up %s; ubus: %s').format(
			s.version, s.pid, fgs.duration(s.uptimeMs), s.ubus.state) ]);
		if (s.instances.length == 0)
			return E([], [ head, E('p', { 'class': 'floatgw-empty' }, _('No instance runs: add one under Services -> floatgw.')) ]);
		return E([], [ head ].concat(s.instances.map(L.bind(function(inst) { return this.renderInstance(inst, s); }, this))));
	},

	/** The staleness line, shown while the last answer is older than
	 * LATE_MS (with the last failure, if any); the page meanwhile keeps the
	 * last answer it had. */
	updateStale: function() {
		const late = Date.now() - this.lastAnswer;
		const hint = this.stale;
		if (late > LATE_MS || this.lastFailure) {
			hint.style.display = '';
			dom.content(hint, [
				_('No answer from this router for %s (since %s): the page shows the last answer.').format(
					fgs.duration(late), new Date(this.lastAnswer).toLocaleTimeString()),
				this.lastFailure ? E('br') : '', this.lastFailure || ''
			]);
		}
		else {
			hint.style.display = 'none';
		}
	},

	refresh: function() {
		return this.load().then(L.bind(function(result) {
			if (result.error && result.error.kind == 'unreachable') {
				this.lastFailure = result.error.text;
			}
			else {
				this.lastAnswer = Date.now();
				this.lastFailure = null;
				dom.content(this.body, this.renderStatus(result));
			}
			this.updateStale();
		}, this));
	},

	render: function(result) {
		fgs.addStyle();
		this.lastAnswer = Date.now();
		this.lastFailure = null;
		this.stale = E('div', { 'class': 'alert-message warning floatgw-stale', 'style': 'display:none' });
		this.body = E('div', { 'id': 'floatgw-status' }, this.renderStatus(result));
		poll.add(L.bind(this.refresh, this), POLL_S);
		window.setInterval(L.bind(this.updateStale, this), 1000);
		return E([], [
			E('h2', {}, _('floatgw')),
			E('div', { 'class': 'cbi-map-descr' }, _('Two routers, one gateway address: this router and its peer as this router sees them.')),
			this.stale,
			this.body
		]);
	},

	handleSaveApply: null,
	handleSave: null,
	handleReset: null
});
