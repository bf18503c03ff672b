"""The forms compute the handbooks' fees when saved and refuse what the handbooks refuse: posted
through HTTP as the role that fills each form, asserting the stored Decimal is the handbook's number."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from admin_app.clock import today
from models.finance import PaymentVoucher, StockSlip
from models.postpartum import (
    BalanceDepositReceipt,
    ClientArchive,
    ClientDischarge,
    SignedClientHandover,
)
from models.reference import Building, FeeStandard, Room, User
from models.residence import FamilyOvernight, Resident, RoomHold, WalkInCheckIn
from models.staff import Commission

D = Decimal


def room(session: Any, number: str, building: str = "A栋") -> Room:
    return session.scalar(sa.select(Room).join(Building)
                          .where(Building.name == building, Room.number == number))


def any_id(session: Any, model: Any) -> int:
    return session.scalar(sa.select(model.id).order_by(model.id).limit(1))


def user_id(session: Any, username: str) -> int:
    return session.scalar(sa.select(User.id).where(User.username == username))


def count(session: Any, model: Any) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def newest(session: Any, model: Any) -> Any:
    session.expire_all()
    return session.scalars(sa.select(model).order_by(model.id.desc()).limit(1)).one()


def refused(response: Any, message: str) -> bool:
    """The form came back (not a redirect) with the handbook's message under its field."""
    at_field = r'class="invalid-feedback">\s*<ul[^>]*>\s*<li>' + re.escape(message)
    return response.status_code == 200 and re.search(at_field, response.get_data(as_text=True)) is not None


# -- 保留房间: 200 元/㎡/月, part months whole ------------------------------------------------------


def hold_form(session: Any, room_id: int, held_from: str, held_until: str = "") -> dict[str, str]:
    return {"resident": str(any_id(session, Resident)), "room": str(room_id), "held_from": held_from,
            "held_until": held_until, "reason": "住院治疗", "member_card_charged": "y"}


def test_kept_room_fee_is_area_times_200_times_whole_months(session: Any, clerk: Any) -> None:
    building = session.scalar(sa.select(Building).where(Building.name == "A栋"))
    small = Room(building=building, number="T25", floor=3, room_type="单人间", area=D(25))
    session.add(small)
    session.commit()
    data = hold_form(session, small.id, "2026-01-31", "2026-03-01") | {"months": "9", "fee": "1.00"}
    assert clerk.post("/admin/room_holds/new/", data).status_code == 302
    hold = newest(session, RoomHold)
    assert (hold.months, hold.fee) == (2, D("10000.00"))  # typed values are not taken


def test_computed_fee_is_shown_on_details_and_not_offered_in_the_form(session: Any, clerk: Any) -> None:
    form = clerk.get("/admin/room_holds/new/").get_data(as_text=True)
    assert 'name="held_from"' in form and 'name="fee"' not in form and 'name="months"' not in form
    data = hold_form(session, room(session, "101").id, "2026-01-15", "2026-02-16")
    assert clerk.post("/admin/room_holds/new/", data).status_code == 302
    hold_id = newest(session, RoomHold).id
    details = clerk.get(f"/admin/room_holds/details/?id={hold_id}").get_data(as_text=True)
    assert "基础管理费(元)" in details and re.search(r"16,?000\.00", details)  # 40 ㎡ × 200 × 2


def test_open_hold_is_charged_for_the_months_begun(session: Any, clerk: Any) -> None:
    held_from = today() - dt.timedelta(days=40)
    data = hold_form(session, room(session, "101").id, held_from.isoformat())
    assert clerk.post("/admin/room_holds/new/", data).status_code == 302
    hold = newest(session, RoomHold)
    assert (hold.months, hold.fee) == (2, D("16000.00"))  # 40 ㎡ × 200 × 2


def test_hold_ending_before_it_starts_is_refused(session: Any, clerk: Any) -> None:
    before = count(session, RoomHold)
    data = hold_form(session, room(session, "101").id, "2026-03-01", "2026-02-01")
    assert refused(clerk.post("/admin/room_holds/new/", data), "保留截止日期不能早于起始日期")
    assert count(session, RoomHold) == before


# -- 家属留宿: 100 元/晚, read from 收费标准 at save time ---------------------------------------------


def overnight_form(session: Any, nights: str) -> dict[str, str]:
    return {"resident": str(any_id(session, Resident)), "family_member": "王小明", "reason": "已报黎主管同意",
            "stay_on": "2026-11-20", "nights": nights, "payment": "现金"}


def test_family_overnight_is_nights_times_100(session: Any, clerk: Any) -> None:
    assert clerk.post("/admin/family_overnights/new/", overnight_form(session, "3")).status_code == 302
    assert newest(session, FamilyOvernight).fee == D("300.00")


def test_family_overnight_uses_the_standard_it_keeps(session: Any, clerk: Any) -> None:
    standard = session.scalar(sa.select(FeeStandard).where(FeeStandard.code == "family_overnight"))
    standard.amount = D(120)
    session.commit()
    assert clerk.post("/admin/family_overnights/new/", overnight_form(session, "3")).status_code == 302
    assert newest(session, FamilyOvernight).fee == D("360.00")


def test_family_overnight_of_no_nights_is_refused(session: Any, clerk: Any) -> None:
    before = count(session, FamilyOvernight)
    response = clerk.post("/admin/family_overnights/new/", overnight_form(session, "0"))
    assert refused(response, "留宿晚数至少 1 晚")
    assert count(session, FamilyOvernight) == before


# -- 入住登记表: the 9th floor pays 80% ---------------------------------------------------------------


def walk_in_form(room_id: int, price: str, nights: str = "2") -> dict[str, str]:
    return {"guest": "郑丽", "id_no": "440305198807000027", "id_copy_kept": "y", "room_type": "双人间",
            "room": str(room_id), "check_in_at": "2026-11-20 15:00:00", "nights": nights, "price": price,
            "payment": "扫码"}


def test_ninth_floor_room_fee_is_80_percent(session: Any, clerk: Any) -> None:
    assert clerk.post("/admin/walk_in_check_ins/new/", walk_in_form(room(session, "904").id, "268")
                      ).status_code == 302
    check_in = newest(session, WalkInCheckIn)
    assert (check_in.floor, check_in.fee) == (9, D("428.80"))


def test_other_floors_pay_the_full_price(session: Any, clerk: Any) -> None:
    assert clerk.post("/admin/walk_in_check_ins/new/", walk_in_form(room(session, "803").id, "268")
                      ).status_code == 302
    check_in = newest(session, WalkInCheckIn)
    assert (check_in.floor, check_in.fee) == (8, D("536.00"))


def test_walk_in_without_a_price_is_refused(session: Any, clerk: Any) -> None:
    before = count(session, WalkInCheckIn)
    response = clerk.post("/admin/walk_in_check_ins/new/", walk_in_form(room(session, "904").id, ""))
    assert refused(response, "请填写每晚房价")
    assert count(session, WalkInCheckIn) == before


# -- 尾款、押金收取 and 签约客户交接表: credit card 0.6%, debit card none -------------------------------


def receipt_form(session: Any, amount: str, method: str) -> dict[str, str]:
    return {"client": str(any_id(session, ClientArchive)), "paid_at": "2026-11-20 15:00:00",
            "balance_amount": amount, "balance_method": method}


def test_credit_card_balance_pays_0_6_percent(session: Any, clerk: Any) -> None:
    data = receipt_form(session, "12345.67", "信用卡")
    assert clerk.post("/admin/balance_deposit_receipts/new/", data).status_code == 302
    assert newest(session, BalanceDepositReceipt).card_fee == D("74.07")


def test_debit_card_balance_pays_no_fee(session: Any, clerk: Any) -> None:
    data = receipt_form(session, "12345.67", "借记卡") | {"card_fee": "74.07"}
    assert clerk.post("/admin/balance_deposit_receipts/new/", data).status_code == 302
    assert newest(session, BalanceDepositReceipt).card_fee == D("0.00")


def test_balance_without_a_method_is_refused(session: Any, clerk: Any) -> None:
    before = count(session, BalanceDepositReceipt)
    response = clerk.post("/admin/balance_deposit_receipts/new/", receipt_form(session, "12345.67", ""))
    assert refused(response, "请选择尾款支付方式")
    assert count(session, BalanceDepositReceipt) == before


def test_handover_card_fee_is_0_6_percent_of_a_first_payment_by_credit_card(session: Any, clerk: Any) -> None:
    data = {"contract_no": "HT-0999", "contract_kind": "新签", "client_name": "陈静", "phone": "13900000999",
            "package": "28天经典套餐", "list_price": "58800", "first_payment": "30000",
            "balance_due": "28800", "days": "28", "signed_on": "2026-11-20", "due_date": "2027-02-01",
            "sales": str(user_id(session, "sales")), "first_payment_method": "信用卡"}
    assert clerk.post("/admin/signed_client_handovers/new/", data).status_code == 302
    handover = session.scalar(sa.select(SignedClientHandover)
                              .where(SignedClientHandover.contract_no == "HT-0999"))
    assert handover.card_fee == D("180.00")


# -- 出所手续: the deposit refunded net of unpaid lines, damages and lost room cards -------------------


def discharge_form(session: Any) -> dict[str, str]:
    """HT-0083's client, whose seeded receipt took a 2,000 元 deposit."""
    receipt = session.scalar(sa.select(BalanceDepositReceipt)
                             .where(BalanceDepositReceipt.deposit_slip_no == "YJ-0083"))
    return {"client": str(receipt.client_id), "moved_out_on": "2026-11-23",
            "deposit_receipt": str(receipt.id), "lost_room_cards": "1", "compensation": "",
            "charges-0-from_department": "产后修复部", "charges-0-item": "加做盆底修复",
            "charges-0-amount": "150.50",
            "charges-1-from_department": "酒店前台", "charges-1-item": "家属加餐", "charges-1-amount": "360",
            "charges-1-settled": "y"}


def test_deposit_refund_nets_unpaid_lines_and_lost_cards(session: Any, clerk: Any) -> None:
    assert clerk.post("/admin/client_discharges/new/", discharge_form(session)).status_code == 302
    discharge = newest(session, ClientDischarge)
    # 2000 − 150.50 unpaid (the settled 360 is not deducted) − 200 for the lost room card
    assert (discharge.unpaid_total, discharge.deposit_refund) == (D("150.50"), D("1649.50"))


def test_settling_a_line_raises_the_refund(session: Any, clerk: Any) -> None:
    data = discharge_form(session)
    assert clerk.post("/admin/client_discharges/new/", data).status_code == 302
    discharge = newest(session, ClientDischarge)
    lines = sorted(c.id for c in discharge.charges)
    edit = data | {"charges-0-id": str(lines[0]), "charges-1-id": str(lines[1]), "charges-0-settled": "y",
                   "compensation": "99.5"}
    assert clerk.post(f"/admin/client_discharges/edit/?id={discharge.id}", edit).status_code == 302
    discharge = newest(session, ClientDischarge)
    assert (discharge.unpaid_total, discharge.deposit_refund) == (D("0.00"), D("1700.50"))


# -- 支付证明单: invoice, matching amounts, 出入库单 for fixed assets of 500 元 or more --------------------


def voucher_form(**changes: str) -> dict[str, str]:
    return {"filled_on": "2026-11-23", "kind": "报账", "reason": "空调", "amount": "3280.00",
            "invoice_amount": "3280.00", "payee": "广州佳美电器有限公司", "has_invoice": "y"} | changes


def test_reimbursement_without_an_invoice_is_refused(session: Any, clerk: Any) -> None:
    before = count(session, PaymentVoucher)
    data = voucher_form(reason="纸杯", amount="80.00", invoice_amount="", has_invoice="", has_receipt="y")
    data.pop("has_invoice")
    assert refused(clerk.post("/admin/payment_vouchers/new/", data), "报账必须有发票,单有收据不行")
    assert count(session, PaymentVoucher) == before


def test_amount_differing_from_the_invoice_is_refused(session: Any, clerk: Any) -> None:
    before = count(session, PaymentVoucher)
    response = clerk.post("/admin/payment_vouchers/new/", voucher_form(amount="3290.00"))
    assert refused(response, "支付证明单金额 3290.00 与发票金额 3280.00 不一致")
    assert count(session, PaymentVoucher) == before


def test_fixed_asset_of_500_or_more_needs_a_stock_slip(session: Any, clerk: Any) -> None:
    before = count(session, PaymentVoucher)
    response = clerk.post("/admin/payment_vouchers/new/", voucher_form(fixed_asset_value="3280.00"))
    assert refused(response, "固定资产 500.00 元以上须附仓管员开具的出入库单")
    assert count(session, PaymentVoucher) == before


def test_fixed_asset_with_its_stock_slip_is_saved(session: Any, accountant: Any) -> None:
    # The accountant: a 客服员 may file vouchers but not look up 出入库单 (permission matrix).
    data = voucher_form(fixed_asset_value="3280.00", stock_slip=str(any_id(session, StockSlip)))
    assert accountant.post("/admin/payment_vouchers/new/", data).status_code == 302
    assert newest(session, PaymentVoucher).amount == D("3280.00")


def test_medical_deposit_refund_needs_no_invoice(session: Any, clerk: Any) -> None:
    data = voucher_form(kind="退医疗备用金", reason="退医疗备用金(梁玉梅)", amount="2000.00",
                        invoice_amount="")
    data.pop("has_invoice")
    assert clerk.post("/admin/payment_vouchers/new/", data).status_code == 302
    assert newest(session, PaymentVoucher).kind == "退医疗备用金"


# -- 业绩提成: 003 2.3 tiers -------------------------------------------------------------------------


def commission_form(session: Any, role: str, personal: str, renewal: str, team: str = "") -> dict[str, str]:
    return {"period": "2026-12-01", "staff": str(user_id(session, "clerk" if role == "客服专员" else "head")),
            "role": role, "personal_sales": personal, "renewal_sales": renewal, "team_sales": team}


def test_customer_service_commission_from_the_tiers(session: Any, head: Any) -> None:
    assert head.post("/admin/commissions/new/", commission_form(session, "客服专员", "86000", "32000")
                     ).status_code == 302
    row = newest(session, Commission)
    # 86,000 in the 5–10 万 bracket: 0.6%; shared 32,000 × 0.6%
    assert (row.personal_commission, row.shared_commission, row.total_commission) == (
        D("516.00"), D("192.00"), D("708.00"))


def test_supervisor_commission_from_personal_and_team(session: Any, head: Any) -> None:
    data = commission_form(session, "客服主管", "120000", "45000", "435000")
    assert head.post("/admin/commissions/new/", data).status_code == 302
    row = newest(session, Commission)
    # 120,000 × 0.8%; team 435,000 in the 40–60 万 bracket: 0.5%
    assert (row.personal_commission, row.team_commission, row.total_commission) == (
        D("960.00"), D("2175.00"), D("3135.00"))


def test_supervisor_without_team_performance_is_refused(session: Any, head: Any) -> None:
    before = count(session, Commission)
    response = head.post("/admin/commissions/new/", commission_form(session, "客服主管", "120000", "0"))
    assert refused(response, "客服主管须填写团队业绩")
    assert count(session, Commission) == before
