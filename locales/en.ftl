# Signal Desk — English. Every user-visible string of the Telegram bot lives here.
# Numbers, money and times arrive already formatted for this locale; counts arrive as numbers.

## Common words

role = { $role ->
    [admin] admin
    [trader] trader
   *[viewer] viewer
}
side = { $side ->
    [long] LONG
   *[short] SHORT
}
interval = { $iv ->
    [i5] 5m
    [i15] 15m
    [i60] 1h
    [i240] 4h
   *[iD] 1D
}
metric = { $name ->
    [bandPosition] band position
    [rsi] RSI
    [volume] volume
    [funding] funding
    [squeeze] squeeze
    [trend] trend
    [volatility] volatility
   *[streak] streak
}
metric-score = { $metric } { $score }
list-separator = ,{" "}
none = none
not-available = n/a
mode = { $mode ->
    [live] LIVE
   *[paper] paper
}
language-name = English

## Access, flood guard, generic failures

bot-not-allowed = This desk is private. Ask an admin to add your Telegram id { $id }.
bot-flood = Too fast — please wait a second.
bot-role-required = This needs the { $role } role.
bot-unknown-command = Unknown command. Send /help for the list.
bot-usage = Usage: { $usage }

## Commands (descriptions for the menu and /help; .usage is shown in /help)

cmd-start = Register and pick your language
    .usage = /start
cmd-help = All commands
    .usage = /help
cmd-status = The desk at a glance
    .usage = /status
cmd-scan = Scan now (uses your daily scan limit)
    .usage = /scan [symbol]
cmd-signals = Live signals
    .usage = /signals
cmd-signal = One signal in full
    .usage = /signal <id>
cmd-positions = Open positions
    .usage = /positions
cmd-balance = Wallet balance
    .usage = /balance
cmd-pnl = Realized PnL
    .usage = /pnl [day|week|all]
cmd-close = Close a position (asks to confirm)
    .usage = /close <symbol|id>
cmd-subscribe = Alerts on, or follow a strategy or symbol
    .usage = /subscribe [strategy|symbol]
cmd-unsubscribe = Alerts off, or stop following a strategy or symbol
    .usage = /unsubscribe [strategy|symbol]
cmd-mute = Mute alerts for a symbol
    .usage = /mute <symbol>
cmd-unmute = Unmute a symbol
    .usage = /unmute <symbol>
cmd-settings = Language and alert detail
    .usage = /settings
cmd-limits = What is left of your limits
    .usage = /limits
cmd-pause = Pause new entries
    .usage = /pause [reason]
cmd-resume = Resume entries and clear the breaker
    .usage = /resume
cmd-kill = Kill switch on: close-only (asks to confirm)
    .usage = /kill [reason]
cmd-unkill = Kill switch off
    .usage = /unkill
cmd-users = Known users
    .usage = /users
cmd-report = The daily report now
    .usage = /report

help-header = Signal Desk — your role: { $role }
help-section-read = Read and scan:
help-section-trade = Trade:
help-section-admin = Admin:
help-line = { $usage } — { $description }

## /start and settings

start-welcome = Welcome to Signal Desk, { $name }. Your role: { $role }. Pick your language:
start-done = Language: English. Send /help for the commands.
settings-text =
    Your settings
    Language: { $language }
    Alert detail: { $detail ->
        [full] full
       *[compact] compact
    }
    Alerts: { $alerts ->
        [yes] on
       *[no] off
    }
    Following: { $subs }
    Muted: { $muted }
settings-saved = Saved.
btn-detail-compact = Compact alerts
btn-detail-full = Full alerts
btn-alerts-on = Alerts on
btn-alerts-off = Alerts off

## /status

status-text =
    Desk: { $mode } · feed { $feed }
    Entries: { $paused ->
        [yes] PAUSED
       *[no] open
    } · kill switch: { $kill ->
        [yes] ON (close-only)
       *[no] off
    }
    Breaker: { $breaker ->
        [yes] TRIPPED
       *[no] ok
    } · day PnL { $dayPnl } USDT (limit { $limitPct } %)
    Uptime: { $uptime } · feed lag: { $lag }
    Open positions: { $positions } · live signals: { $signals }
    Universe: { $universe } ({ $intervals })
duration = { $hours } h { $minutes } min
seconds = { $seconds } s

## /scan and signals

scan-result = Scanned { $scanned } series: { $found ->
    [0] no new signals.
    [one] { $found } signal.
   *[other] { $found } signals.
}
scan-limit = Scans today: { $used } of { $max } · resets { $reset } UTC
signal-line = { $symbol } { $side } · { $interval } · { $strategy } · score { $score } · /signal { $id }
signals-header = Live signals ({ $count }):
signals-none = No live signals right now.
signal-full =
    { $symbol } { $side } · { $interval } · { $strategy } ({ $stage })
    Score { $score }/10 · regime { $regime } · { $status }
    Entry { $entry } · stop { $stop }
    Targets: { $targets }
    Created { $created } UTC · expires { $expires } UTC
    Score parts: { $parts }
    Id: { $id }
signal-stage = { $stage ->
    [live] live
   *[shadow] shadow
}
signal-status = { $status ->
    [live] live
    [executed] executed
    [expired] expired
   *[superseded] superseded
}

## Alerts

alert-compact =
    🔔 { $symbol } { $side } · { $interval } · { $strategy }
    Score { $score }/10 — { $parts }
    Entry { $entry } · stop { $stop } · targets { $targets }
    Risk at your sizing: { $risk }
alert-full-extra =
    Regime { $regime } · expires { $expires } UTC
    All parts: { $parts }
risk-usdt = { $risk } USDT ({ $pct } %)
btn-execute = Execute
btn-execute-symbol = Execute { $symbol } { $side }
btn-details = Details
btn-mute = Mute { $symbol }
btn-confirm = Confirm
btn-cancel = Cancel

## Execute and close confirmations

confirm-execute =
    Confirm { $side } { $symbol }?
    Size { $qty } · notional { $notional } USDT · leverage { $leverage }×
    Margin { $margin } USDT · risk { $risk } USDT ({ $riskPct } %)
    Stop { $stop } · targets { $targets }
    Valid for { $ttl } s.
confirm-refused = Cannot execute { $symbol } now: { $reason }
exec-filled = ✅ { $side } { $symbol }: { $qty } filled at { $price } · stop { $stop } · targets { $targets }
exec-accepted = ⏳ { $side } { $symbol }: order accepted ({ $qty }), waiting for the fill · stop { $stop }
exec-duplicate = Already executed: { $side } { $symbol } ({ $qty }).
exec-failed = ❌ { $reason }
confirm-cancelled = Cancelled.
confirm-expired = This confirmation expired. Press the button again for a fresh one.
close-confirm = Close { $symbol } { $side } { $qty } (entry { $entry }, id { $id })?
close-none = No open position matches { $what }.
close-done = Closed { $qty } { $symbol } at { $price } · realized { $pnl } USDT · { $status ->
    [open] { $remaining } still open
   *[closed] position closed
}
kill-confirm = Turn the kill switch ON? The desk goes close-only until an admin sends /unkill.
details-sent = Details below.
mute-done = Muted { $symbol }. Send /unmute { $symbol } to undo.
unmute-done = Unmuted { $symbol }.
unmute-missing = { $symbol } was not muted.

## Callback refusals

cb-invalid = This button is not valid for you.
cb-replayed = This button was already used.
cb-expired = This button has expired.

## Events

fill-notice = ✅ Filled: { $side } { $qty } { $symbol } at { $price }
fill-notice-reduce = ✅ Reduced: { $qty } { $symbol } at { $price }
order-rejected = ❌ Order for { $symbol } rejected: { $reason }
position-closed = Position closed: { $symbol } { $side } · realized { $pnl } USDT · { $reason }
close-reason = { $reason ->
    [stop] stop hit
    [stop_loss] stop hit
    [take_profit] target hit
    [target] target hit
    [manual] closed by hand
    [kill_switch] kill switch
    [trailing] trailing stop
    [break_even] break-even stop
    [reconcile] reconciled with the exchange
   *[other] { $reason }
}
risk-tripped = ⛔ { $what ->
    [breaker] Daily-loss breaker tripped
    [kill_switch] Kill switch ON (close-only)
   *[paused] Entries paused
} — { $reason }
risk-cleared = ✅ { $what ->
    [breaker] Breaker cleared
    [kill_switch] Kill switch off
   *[paused] Entries resumed
}
strategy-stage = Strategy { $strategy } is now { $stage }: { $reason }
reconcile-mismatch = Reconcile { $symbol }: { $action } — { $reason }

## Money, positions, PnL

positions-none = No open positions.
positions-header = Open positions ({ $count }):
position-line = { $symbol } { $side } { $qty } @ { $entry } · stop { $stop } · uPnL { $upnl } · id { $id }
balance-text =
    Balance ({ $mode })
    Equity { $equity } USDT · available { $available } USDT
    Used margin { $used } USDT · unrealized { $upnl } USDT
pnl-text =
    PnL { $period ->
        [day] today
        [week] this week
       *[all] all time
    } ({ $from } – { $to } UTC)
    Realized { $realized } USDT · fees { $fees } USDT
    Trades { $trades } · wins { $wins } · losses { $losses } · win rate { $winRate }
percent = { $value } %

## Subscriptions

subscribe-all = Alerts on.
subscribe-added = Following { $what }.
unsubscribe-all = Alerts off. Send /subscribe to turn them back on.
unsubscribe-removed = No longer following { $what }.
unsubscribe-missing = You were not following { $what }.

## Admin

risk-state = Entries: { $paused ->
    [yes] paused
   *[no] open
} · kill switch: { $kill ->
    [yes] ON
   *[no] off
} · breaker: { $breaker ->
    [yes] tripped
   *[no] ok
}
users-header = Users ({ $count }):
user-line = { $kind } { $id } · { $role } · last seen { $lastSeen } UTC
limits-header = Your limits:
limit-line = { $name ->
    [scans] Scans
    [scan] Scans
    [executes] Executes
    [execute] Executes
   *[other] { $name }
}: { $used } of { $max } · resets { $reset } UTC
report-text =
    📊 Daily report { $at } UTC
    Uptime { $uptime } · feed lag { $lag }
    Signals (24 h): { $signals } · trades (24 h): { $trades }
    PnL today: { $pnl } USDT · open positions: { $positions }
    Breaker: { $breaker ->
        [yes] TRIPPED
       *[no] ok
    } · kill switch: { $kill ->
        [yes] ON
       *[no] off
    } · entries: { $paused ->
        [yes] paused
       *[no] open
    }

## Desk errors (one per DeskError code)

err-validation = That input is not valid ({ $field }).
err-unauthenticated = You are not signed in.
err-forbidden = Your role does not allow this.
err-rate-limited = You have reached a limit.
err-not-found = Not found.
err-signal-expired = This signal has expired.
err-signal-not-live = This signal is no longer live.
err-entries-paused = New entries are paused.
err-kill-switch = The kill switch is on: close-only.
err-breaker-tripped = The daily-loss breaker has tripped.
err-cooldown = This symbol is cooling down after a stop-out.
err-no-quote = No quote for this symbol yet.
err-stale-quote = The quote is too old to trade on.
err-size-too-small = The position size would be below the exchange minimum.
err-margin-cap = The margin would exceed the cap.
err-max-positions = Too many open positions.
err-insufficient-balance = Not enough available balance.
err-position-exists = A position on this symbol is already open.
err-position-closed = That position is already closed.
err-close-pending = A close of this position is still being placed; nothing more was sent. Check the position again in a few seconds.
err-confirmation-required = This needs a confirmation.
err-confirmation-invalid = That confirmation is not valid.
err-agent-cap = An agent cap stops this.
err-strategy-not-live = This strategy is in shadow mode.
err-unknown-outcome = The exchange did not confirm the outcome; check /positions before retrying.
err-exchange-rejected = The exchange rejected the order.
err-exchange-unavailable = The exchange is not reachable right now.
err-clock-skew = The desk clock is out of sync with the exchange.
err-config = The desk is misconfigured.
err-shutting-down = The desk is shutting down.
err-internal = Something went wrong on our side.
