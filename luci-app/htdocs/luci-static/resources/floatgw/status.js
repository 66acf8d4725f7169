'use strict';
'require baseclass';
'require rpc';
'require ui';

// What floatgw's status page and its Status -> Overview box share: the ubus
// calls, how a failed call is explained, and the words and shapes for what
// `ubus call floatgw status` returns (DaemonStatus in floatgw's
// src/daemon/status-contract.ts, described field by field in docs/ubus.md).
// The daemon sends state names; nothing here decodes numbers.

const callStatus = rpc.declare({
	object: 'floatgw',
	method: 'status'
});

// A refused switchover resolves to {error: "..."}: the daemon's own words.
const callSwitchover = rpc.declare({
	object: 'floatgw',
	method: 'switchover',
	params: [ 'instance', 'hold' ]
});

// The daemon's own range for the hold (src/daemon/control-api.ts).
const HOLD_DEFAULT_S = 60;
const HOLD_MAX_S = 86400;

const STATE_LABELS = {
	master: _('MASTER'),
	backup: _('BACKUP'),
	fault: _('FAULT'),
	init: _('INIT'),
	waiting: _('WAITING')
};

const DHCP_LABELS = {
	serving: _('serving: this router hands out the leases'),
	standby: _('standing by: DHCP starts here when this router takes the VIP'),
	off: _('off: DHCP does not follow the VIP')
};

/** "1h 02m", "2m 05s", "4.2 s": a duration for humans. */
function duration(ms) {
	if (ms == null)
		return '-';
	if (ms < 10000)
		return '%.1f s'.format(ms / 1000);
	const s = Math.floor(ms / 1000);
	if (s < 60)
		return '%d s'.format(s);
	if (s < 3600)
		return '%dm %02ds'.format(Math.floor(s / 60), s % 60);
	if (s < 86400)
		return '%dh %02dm'.format(Math.floor(s / 3600), Math.floor(s / 60) % 60);
	return '%dd %02dh'.format(Math.floor(s / 86400), Math.floor(s / 3600) % 24);
}

/** Whether this session may use floatgw: its menu has floatgw's status
 * page (LuCI keeps a node only for sessions whose ACLs satisfy it). Asking
 * the daemon without leave would not just fail: LuCI 22.03 then reports the
 * whole session as expired. */
function permitted() {
	return ui.menu.load().then(function(menu) {
		const node = [ 'admin', 'status', 'floatgw' ].reduce(function(n, k) {
			return n && n.children ? n.children[k] : null;
		}, menu);
		return node != null && node.satisfied !== false;
	});
}

/** Why a status call failed, for a person: {kind, text}. kind is
 * 'daemon' (no floatgw object on ubus), 'denied' (the session lacks the
 * ACL) or 'unreachable' (no answer from the router). */
function explainFailure(err) {
	const msg = String((err && err.message) || err);
	if (/Object not found|error -32000/.test(msg))
		return { kind: 'daemon', text: _('floatgwd is not running on this router: ubus has no object "floatgw". Enable floatgw in its settings (or run /etc/init.d/floatgw start) and check the system log.') };
	if (/Access denied|error -32002/.test(msg))
		return { kind: 'denied', text: _('Access denied: this login lacks the ACL "luci-app-floatgw".') };
	return { kind: 'unreachable', text: _('No answer from the router: %s').format(msg) };
}

/** The other router as this one sees it: {address, state, priority, detail}.
 * state is 'master', 'backup' or null (not known). A backup sends no VRRP
 * adverts, so a master knows its peer is alive only from the DHCP lease
 * channel's hellos. */
function peerOf(inst, leaseChannel) {
	const heard = inst.peer;
	const address = heard ? heard.address : (inst.unicastPeers[0] || null);
	const lease = leaseChannel && address && leaseChannel.peer == address ? leaseChannel : null;
	const leaseAlive = lease != null && lease.degraded == null;
	const p = { address: address, state: null, priority: heard ? heard.priority : null, detail: '' };

	if (address == null) {
		p.detail = _('no other router heard yet');
	}
	else if (inst.state != 'master' && inst.master == address) {
		p.state = 'master';
		p.detail = _('advertises priority %d, heard %s ago').format(heard.priority, duration(heard.lastSeenMsAgo));
	}
	else if (inst.state == 'master' && leaseAlive) {
		p.state = 'backup';
		p.detail = _('alive: its lease channel hello came %s ago').format(duration(lease.lastRxMsAgo));
	}
	else if (inst.state == 'master') {
		p.detail = heard
			? _('silent since its last advert %s ago (a backup sends none; with DHCP following the VIP its lease channel tells whether it is up)').format(duration(heard.lastSeenMsAgo))
			: _('never heard (a backup sends no adverts)');
	}
	else {
		p.detail = heard ? _('last heard %s ago').format(duration(heard.lastSeenMsAgo)) : _('never heard');
	}
	return p;
}

/** "150", or "100 = 150 base - 50 track:wan": the effective priority and
 * what makes it up, when anything moves it from the configured one. */
function priorityText(priority) {
	const moved = priority.contributions.filter(function(c) { return c.source != 'base'; });
	if (moved.length == 0)
		return String(priority.effective);
	return '%d = %s'.format(priority.effective, priority.contributions.map(function(c, i) {
		const sign = c.value < 0 ? '- ' : (i > 0 ? '+ ' : '');
		return '%s%d %s'.format(sign, Math.abs(c.value), c.source);
	}).join(' '));
}

/** The current master's address, "(this router)" when it is us. */
function masterText(inst) {
	if (inst.master == null)
		return _('unknown');
	return inst.master == inst.primary ? _('%s (this router)').format(inst.master) : inst.master;
}

/** A state badge: the word, coloured by the state. */
function stateBadge(state) {
	return E('span', { 'class': 'floatgw-state', 'data-state': state }, [ STATE_LABELS[state] || state.toUpperCase() ]);
}

const STYLE = [
	'.floatgw-state { display: inline-block; padding: 0 .5em; border-radius: 3px; color: #fff; font-weight: bold; background: #777; }',
	'.floatgw-state[data-state="master"] { background: #2e7d32; }',
	'.floatgw-state[data-state="backup"] { background: #1565c0; }',
	'.floatgw-state[data-state="fault"] { background: #c62828; }',
	'.floatgw-stale { margin-bottom: 1em; }',
	'.floatgw-contrib { margin: 0; padding-left: 1.2em; }',
	'.floatgw-timeline { width: 100%; max-width: 720px; height: auto; }'
].join('\n');

/** The pages' stylesheet, once per document. */
function addStyle() {
	if (document.getElementById('floatgw-style'))
		return;
	document.head.appendChild(E('style', { 'id': 'floatgw-style' }, STYLE));
}

return baseclass.extend({
	callStatus: callStatus,
	callSwitchover: callSwitchover,
	HOLD_DEFAULT_S: HOLD_DEFAULT_S,
	HOLD_MAX_S: HOLD_MAX_S,
	STATE_LABELS: STATE_LABELS,
	DHCP_LABELS: DHCP_LABELS,
	duration: duration,
	permitted: permitted,
	explainFailure: explainFailure,
	peerOf: peerOf,
	priorityText: priorityText,
	masterText: masterText,
	stateBadge: stateBadge,
	addStyle: addStyle
});
