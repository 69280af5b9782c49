"""`manage.py seed_demo`: a demo county to try the app, or the city of the sources to measure it.

Safe to run again: existing demo data is kept and the logins are printed again. Every other
app's demo module registered in its AppConfig.ready() (`pledges.demo.register`) then has its
`seed(scale=..., stdout=...)` run, on every run, so those hooks must be idempotent too.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.notifications import digest, reminders
from pledges import demo, tallies


class Command(BaseCommand):
    help = gettext_noop("生成演示数据（示范县）或规模测试数据（--scale city）")

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["county", "small", "city", "province"],
            default="county",
            help=(
                "county: 示范县（经由业务服务生成）；small: 缩小版城市；city: 全市规模；"
                "province: 全省规模（3 个城市）"
            ),
        )
        parser.add_argument(
            "--branches",
            type=int,
            help=(
                "缩小版城市的党支部数量（隐含 --scale small；与 --scale province 同用时为每市数量）"
            ),
        )
        parser.add_argument("--seed", type=int, default=2024, help="随机种子")
        parser.add_argument("--reset", action="store_true", help="删除演示数据后重新生成")

    def handle(self, *args, scale: str, branches: int | None, seed: int, reset: bool, **options):
        started = time.monotonic()
        if branches is not None:
            if branches < 1:
                raise CommandError(_("党支部数量必须大于 0"))
            # A province keeps its scale with fewer branches per city (tests, profiling).
            if scale != "province":
                scale = "small"
        if reset:
            self._reset()
        if scale == "county":
            try:
                root, created = demo.build_county(seed=seed)
            except demo.DemoError as e:
                raise CommandError(str(e)) from e
        elif scale == "province":
            if demo.province_root() is None:
                self.stdout.write(_("生成全省数据：3 个城市，每市规模同全市"))
            root, created = demo.build_province(
                seed=seed, log=self.stdout.write, **({"branches": branches} if branches else {})
            )
        else:
            plan = demo.CityPlan.scaled(
                demo.CITY_BRANCHES if scale == "city" else branches or demo.SMALL_CITY_BRANCHES
            )
            if demo.city_root() is None:
                self.stdout.write(
                    _("生成城市数据：%(c)d 个党委，%(b)d 个党支部，%(m)d 名党员，%(p)d 项承诺")
                    % {
                        "c": plan.committees,
                        "b": plan.branches,
                        "m": plan.members,
                        "p": plan.pledges,
                    }
                )
            root, created = demo.build_city(plan=plan, seed=seed, log=self.stdout.write)
        built = time.monotonic() - started
        if created:
            self.stdout.write(_("承诺台账数据已生成：%(s).1f 秒") % {"s": built})
        else:
            self.stdout.write(
                _("“%(name)s”已存在，未重复生成（如需重建请加 --reset）") % {"name": root.name}
            )
        self._run_app_hooks(scale)
        # Bulk inserts send no signal: recount the counters from the rows (every scale, after
        # every app's hook has filled its rows).
        started_tallies = time.monotonic()
        tallies.rebuild()
        self.stdout.write(f"tallies: {time.monotonic() - started_tallies:.1f}s")
        if scale == "county":
            self._remind()
        self.stdout.write(_("演示数据就绪：共 %(s).1f 秒") % {"s": time.monotonic() - started})
        self.stdout.write("")
        self.stdout.write(_("演示账号（%(root)s）：") % {"root": root.name})
        self.stdout.write(demo.format_logins(demo.demo_logins(root)))

    def _demo_modules(self):
        """Every other app's registered demo module, in INSTALLED_APPS order."""
        yield from demo.APP_DEMOS

    def _run_app_hooks(self, scale: str) -> None:
        for app, module in self._demo_modules():
            seed = getattr(module, "seed", None)
            if callable(seed):
                started = time.monotonic()
                seed(scale=scale, stdout=self.stdout)
                seconds = time.monotonic() - started
                self.stdout.write(
                    _("%(app)s 演示数据：%(s).1f 秒") % {"app": app.label, "s": seconds}
                )

    def _remind(self) -> None:
        """Today's reminders by the same rules as the beat, so demo logins find them in the
        bell; then today's digest, so the outbox (/notifications/outbox/) holds one email per
        demo user with the events of the seed's moves (embedded: kept, not sent)."""
        today = timezone.localdate()
        created = sum(
            reminders.reminders_send(kind=kind, day=today).created for kind in reminders.kinds()
        )
        self.stdout.write(_("今日提醒：新建站内通知 %(n)d 条") % {"n": created})
        sent = sum(c.get("delivered", 0) for c in digest.digests_send(day=today).values())
        self.stdout.write(_("今日汇总：发出 %(n)d 条") % {"n": sent})

    @transaction.atomic
    def _reset(self) -> None:
        """Apps that keep rows pointing at the pledge book remove theirs first through an
        optional `<app>.demo.reset(stdout=...)`; anything still protected stops the reset and
        nothing is deleted."""
        for _app, module in reversed(list(self._demo_modules())):
            reset = getattr(module, "reset", None)
            if callable(reset):
                reset(stdout=self.stdout)
        try:
            demo.reset_demo()
        except demo.DemoError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(_("已删除原有演示数据"))
