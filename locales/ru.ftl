# Signal Desk — русский. Все тексты Telegram-бота, которые видит пользователь, живут здесь.
# Числа, суммы и время приходят уже отформатированными для локали; количества — числами.

## Общие слова

role = { $role ->
    [admin] администратор
    [trader] трейдер
   *[viewer] наблюдатель
}
side = { $side ->
    [long] ЛОНГ
   *[short] ШОРТ
}
interval = { $iv ->
    [i5] 5м
    [i15] 15м
    [i60] 1ч
    [i240] 4ч
   *[iD] 1Д
}
metric = { $name ->
    [bandPosition] положение в канале
    [rsi] RSI
    [volume] объём
    [funding] фандинг
    [squeeze] сжатие
    [trend] тренд
    [volatility] волатильность
   *[streak] серия
}
metric-score = { $metric } { $score }
list-separator = ,{" "}
none = нет
not-available = н/д
mode = { $mode ->
    [live] РЕАЛ
   *[paper] бумага
}
language-name = Русский

## Доступ, защита от флуда, общие сбои

bot-not-allowed = Это закрытый деск. Попросите администратора добавить ваш Telegram id { $id }.
bot-flood = Слишком часто — подождите секунду.
bot-role-required = Нужна роль «{ $role }».
bot-unknown-command = Неизвестная команда. Список — /help.
bot-usage = Использование: { $usage }

## Команды (описания для меню и /help; .usage показывается в /help)

cmd-start = Регистрация и выбор языка
    .usage = /start
cmd-help = Все команды
    .usage = /help
cmd-status = Состояние деска
    .usage = /status
cmd-scan = Сканировать сейчас (расходует дневной лимит)
    .usage = /scan [символ]
cmd-signals = Активные сигналы
    .usage = /signals
cmd-signal = Сигнал целиком
    .usage = /signal <id>
cmd-positions = Открытые позиции
    .usage = /positions
cmd-balance = Баланс кошелька
    .usage = /balance
cmd-pnl = Реализованный PnL
    .usage = /pnl [day|week|all]
cmd-close = Закрыть позицию (с подтверждением)
    .usage = /close <символ|id>
cmd-subscribe = Включить оповещения или следить за стратегией/символом
    .usage = /subscribe [стратегия|символ]
cmd-unsubscribe = Выключить оповещения или перестать следить
    .usage = /unsubscribe [стратегия|символ]
cmd-mute = Заглушить оповещения по символу
    .usage = /mute <символ>
cmd-unmute = Снять заглушку с символа
    .usage = /unmute <символ>
cmd-settings = Язык и подробность оповещений
    .usage = /settings
cmd-limits = Сколько осталось от ваших лимитов
    .usage = /limits
cmd-pause = Приостановить новые входы
    .usage = /pause [причина]
cmd-resume = Возобновить входы и сбросить предохранитель
    .usage = /resume
cmd-kill = Аварийный выключатель: только закрытие (с подтверждением)
    .usage = /kill [причина]
cmd-unkill = Выключить аварийный режим
    .usage = /unkill
cmd-users = Известные пользователи
    .usage = /users
cmd-report = Дневной отчёт сейчас
    .usage = /report

help-header = Signal Desk — ваша роль: { $role }
help-section-read = Смотреть и сканировать:
help-section-trade = Торговать:
help-section-admin = Администрирование:
help-line = { $usage } — { $description }

## /start и настройки

start-welcome = Добро пожаловать в Signal Desk, { $name }. Ваша роль: { $role }. Выберите язык:
start-done = Язык: русский. Команды — /help.
settings-text =
    Ваши настройки
    Язык: { $language }
    Оповещения: { $detail ->
        [full] подробные
       *[compact] краткие
    }
    Оповещения включены: { $alerts ->
        [yes] да
       *[no] нет
    }
    Слежу за: { $subs }
    Заглушены: { $muted }
settings-saved = Сохранено.
btn-detail-compact = Краткие оповещения
btn-detail-full = Подробные оповещения
btn-alerts-on = Оповещения вкл
btn-alerts-off = Оповещения выкл

## /status

status-text =
    Деск: { $mode } · данные { $feed }
    Входы: { $paused ->
        [yes] ПРИОСТАНОВЛЕНЫ
       *[no] открыты
    } · аварийный режим: { $kill ->
        [yes] ВКЛ (только закрытие)
       *[no] выкл
    }
    Предохранитель: { $breaker ->
        [yes] СРАБОТАЛ
       *[no] в норме
    } · PnL за день { $dayPnl } USDT (лимит { $limitPct } %)
    Аптайм: { $uptime } · задержка данных: { $lag }
    Открытых позиций: { $positions } · активных сигналов: { $signals }
    Инструменты: { $universe } ({ $intervals })
duration = { $hours } ч { $minutes } мин
seconds = { $seconds } с

## /scan и сигналы

scan-result = Просканировано рядов: { $scanned }. { $found ->
    [0] Новых сигналов нет.
    [one] { $found } сигнал.
    [few] { $found } сигнала.
   *[many] { $found } сигналов.
}
scan-limit = Сканов сегодня: { $used } из { $max } · сброс { $reset } UTC
signal-line = { $symbol } { $side } · { $interval } · { $strategy } · оценка { $score } · /signal { $id }
signals-header = Активные сигналы ({ $count }):
signals-none = Активных сигналов сейчас нет.
signal-full =
    { $symbol } { $side } · { $interval } · { $strategy } ({ $stage })
    Оценка { $score }/10 · режим { $regime } · { $status }
    Вход { $entry } · стоп { $stop }
    Цели: { $targets }
    Создан { $created } UTC · истекает { $expires } UTC
    Составляющие: { $parts }
    Id: { $id }
signal-stage = { $stage ->
    [live] боевая
   *[shadow] теневая
}
signal-status = { $status ->
    [live] активен
    [executed] исполнен
    [expired] истёк
   *[superseded] заменён
}

## Оповещения

alert-compact =
    🔔 { $symbol } { $side } · { $interval } · { $strategy }
    Оценка { $score }/10 — { $parts }
    Вход { $entry } · стоп { $stop } · цели { $targets }
    Риск при вашем размере: { $risk }
alert-full-extra =
    Режим { $regime } · истекает { $expires } UTC
    Все составляющие: { $parts }
risk-usdt = { $risk } USDT ({ $pct } %)
btn-execute = Исполнить
btn-execute-symbol = Исполнить { $symbol } { $side }
btn-details = Подробнее
btn-mute = Заглушить { $symbol }
btn-confirm = Подтвердить
btn-cancel = Отмена

## Подтверждения исполнения и закрытия

confirm-execute =
    Подтвердить { $side } { $symbol }?
    Объём { $qty } · номинал { $notional } USDT · плечо { $leverage }×
    Маржа { $margin } USDT · риск { $risk } USDT ({ $riskPct } %)
    Стоп { $stop } · цели { $targets }
    Действует { $ttl } с.
confirm-refused = Сейчас нельзя исполнить { $symbol }: { $reason }
exec-filled = ✅ { $side } { $symbol }: исполнено { $qty } по { $price } · стоп { $stop } · цели { $targets }
exec-accepted = ⏳ { $side } { $symbol }: ордер принят ({ $qty }), ждём исполнения · стоп { $stop }
exec-duplicate = Уже исполнено: { $side } { $symbol } ({ $qty }).
exec-failed = ❌ { $reason }
confirm-cancelled = Отменено.
confirm-expired = Подтверждение истекло. Нажмите кнопку ещё раз.
close-confirm = Закрыть { $symbol } { $side } { $qty } (вход { $entry }, id { $id })?
close-none = Нет открытой позиции для { $what }.
close-done = Закрыто { $qty } { $symbol } по { $price } · реализовано { $pnl } USDT · { $status ->
    [open] ещё открыто { $remaining }
   *[closed] позиция закрыта
}
kill-confirm = Включить аварийный режим? Деск будет только закрывать позиции, пока администратор не отправит /unkill.
details-sent = Подробности ниже.
mute-done = { $symbol } заглушён. Отменить — /unmute { $symbol }.
unmute-done = { $symbol } снова в оповещениях.
unmute-missing = { $symbol } не был заглушён.

## Отказы по кнопкам

cb-invalid = Эта кнопка для вас недействительна.
cb-replayed = Эта кнопка уже использована.
cb-expired = Срок действия кнопки истёк.

## События

fill-notice = ✅ Исполнено: { $side } { $qty } { $symbol } по { $price }
fill-notice-reduce = ✅ Сокращено: { $qty } { $symbol } по { $price }
order-rejected = ❌ Ордер по { $symbol } отклонён: { $reason }
position-closed = Позиция закрыта: { $symbol } { $side } · реализовано { $pnl } USDT · { $reason }
close-reason = { $reason ->
    [stop] сработал стоп
    [stop_loss] сработал стоп
    [take_profit] достигнута цель
    [target] достигнута цель
    [manual] закрыта вручную
    [kill_switch] аварийный режим
    [trailing] трейлинг-стоп
    [break_even] стоп в безубытке
    [reconcile] сверка с биржей
   *[other] { $reason }
}
risk-tripped = ⛔ { $what ->
    [breaker] Сработал предохранитель дневного убытка
    [kill_switch] Аварийный режим ВКЛ (только закрытие)
   *[paused] Входы приостановлены
} — { $reason }
risk-cleared = ✅ { $what ->
    [breaker] Предохранитель сброшен
    [kill_switch] Аварийный режим выключен
   *[paused] Входы возобновлены
}
strategy-stage = Стратегия { $strategy } теперь { $stage }: { $reason }
reconcile-mismatch = Сверка { $symbol }: { $action } — { $reason }

## Деньги, позиции, PnL

positions-none = Открытых позиций нет.
positions-header = Открытые позиции ({ $count }):
position-line = { $symbol } { $side } { $qty } @ { $entry } · стоп { $stop } · нереал. { $upnl } · id { $id }
balance-text =
    Баланс ({ $mode })
    Капитал { $equity } USDT · доступно { $available } USDT
    В марже { $used } USDT · нереализовано { $upnl } USDT
pnl-text =
    PnL { $period ->
        [day] за сегодня
        [week] за неделю
       *[all] за всё время
    } ({ $from } – { $to } UTC)
    Реализовано { $realized } USDT · комиссии { $fees } USDT
    Сделок { $trades } · прибыльных { $wins } · убыточных { $losses } · доля прибыльных { $winRate }
percent = { $value } %

## Подписки

subscribe-all = Оповещения включены.
subscribe-added = Слежу за { $what }.
unsubscribe-all = Оповещения выключены. Включить снова — /subscribe.
unsubscribe-removed = Больше не слежу за { $what }.
unsubscribe-missing = Вы не следили за { $what }.

## Администрирование

risk-state = Входы: { $paused ->
    [yes] приостановлены
   *[no] открыты
} · аварийный режим: { $kill ->
    [yes] ВКЛ
   *[no] выкл
} · предохранитель: { $breaker ->
    [yes] сработал
   *[no] в норме
}
users-header = Пользователи ({ $count }):
user-line = { $kind } { $id } · { $role } · был { $lastSeen } UTC
limits-header = Ваши лимиты:
limit-line = { $name ->
    [scans] Сканы
    [scan] Сканы
    [executes] Исполнения
    [execute] Исполнения
   *[other] { $name }
}: { $used } из { $max } · сброс { $reset } UTC
report-text =
    📊 Дневной отчёт { $at } UTC
    Аптайм { $uptime } · задержка данных { $lag }
    Сигналов (24 ч): { $signals } · сделок (24 ч): { $trades }
    PnL за день: { $pnl } USDT · открытых позиций: { $positions }
    Предохранитель: { $breaker ->
        [yes] СРАБОТАЛ
       *[no] в норме
    } · аварийный режим: { $kill ->
        [yes] ВКЛ
       *[no] выкл
    } · входы: { $paused ->
        [yes] приостановлены
       *[no] открыты
    }

## Ошибки деска (по одной на код DeskError)

err-validation = Неверный ввод ({ $field }).
err-unauthenticated = Вы не авторизованы.
err-forbidden = Ваша роль не позволяет это сделать.
err-rate-limited = Вы исчерпали лимит.
err-not-found = Не найдено.
err-signal-expired = Сигнал истёк.
err-signal-not-live = Сигнал больше не активен.
err-entries-paused = Новые входы приостановлены.
err-kill-switch = Включён аварийный режим: только закрытие.
err-breaker-tripped = Сработал предохранитель дневного убытка.
err-cooldown = По этому символу пауза после стопа.
err-no-quote = По символу ещё нет котировки.
err-stale-quote = Котировка слишком старая для сделки.
err-size-too-small = Размер позиции меньше биржевого минимума.
err-margin-cap = Маржа превысила бы лимит.
err-max-positions = Слишком много открытых позиций.
err-insufficient-balance = Недостаточно доступных средств.
err-position-exists = Позиция по этому символу уже открыта.
err-position-closed = Эта позиция уже закрыта.
err-close-pending = Закрытие этой позиции ещё выставляется; больше ничего не отправлено. Проверьте позицию через несколько секунд.
err-confirmation-required = Нужно подтверждение.
err-confirmation-invalid = Подтверждение недействительно.
err-agent-cap = Действие ограничено лимитом агента.
err-strategy-not-live = Стратегия в теневом режиме.
err-unknown-outcome = Биржа не подтвердила результат; проверьте /positions перед повтором.
err-exchange-rejected = Биржа отклонила ордер.
err-exchange-unavailable = Биржа сейчас недоступна.
err-clock-skew = Часы деска расходятся с биржей.
err-config = Деск настроен неверно.
err-shutting-down = Деск останавливается.
err-internal = У нас что-то пошло не так.
