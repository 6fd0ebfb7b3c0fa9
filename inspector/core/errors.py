"""The one error path: `UserError` (a code, a Chinese and an English text) and the one catalogue of codes.

Every refusal that reaches people is a `UserError` subclass whose `code` is a key of `CATALOGUE`; the server's
error replies, the sync protocol's per-change results and the ledger's decisions use the same codes where they
are the same refusal. An error raised with only its details gets its texts from the catalogue's templates; one
raised with texts of its own (a message naming what exactly went wrong) keeps the catalogued code all the same.
`message_in(error, language)` gives the text of any exception in one language: a `UserError`'s own, or for
anything else the catalogued "unexpected" text with the exception's type, never a traceback.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

ENGLISH_PREFIX = "en"


@dataclass(frozen=True)
class Entry:
    """The two texts of a code: `str.format` templates whose fields are the error's details."""

    zh: str
    en: str

    def render(self, **details: object) -> tuple[str, str]:
        """The Chinese and the English text with these details filled in."""
        return self.zh.format(**details), self.en.format(**details)

    def fields(self) -> tuple[set[str], set[str]]:
        """The template fields of the Chinese and the English text."""
        return _fields(self.zh), _fields(self.en)


def _fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


_E = Entry

CATALOGUE: Mapping[str, Entry] = {
    # -- any layer --
    "error": _E("操作未能完成：{detail}", "the operation could not be completed: {detail}"),
    "unexpected": _E(
        "程序出错，详情见日志", "something went wrong ({kind}: {detail}); see the log"
    ),
    # -- the client store --
    "store_error": _E("本机数据无法处理：{detail}", "the local data cannot be handled: {detail}"),
    "newer_database": _E(
        "数据库 {path} 来自更新版本的巡查程序（数据结构版本 {found_version}，本程序支持到 {supported_version}），"
        "请安装最新版本后再打开。",
        "The database {path} was written by a newer Inspector (schema version {found_version}; this version "
        "supports up to {supported_version}). Install the latest version to open it.",
    ),
    "database_damaged": _E(
        "数据库 {path} 已损坏或不是巡查数据库：{detail}。请停止使用此数据文件夹："
        "运行 inspector recover --out 新文件夹 取回可读的数据，或运行 inspector restore 备份文件 从备份恢复。",
        "The database {path} is damaged or not an Inspector database: {detail}. Stop using this data folder: run "
        "`inspector recover --out NEW_FOLDER` to copy what can be read, or `inspector restore BACKUP_FILE` to go back "
        "to a backup.",
    ),
    "recovery_failed": _E("无法从 {path} 取回数据：{detail}", "Cannot recover data from {path}: {detail}"),
    "data_folder": _E("无法使用数据文件夹 {path}：{detail}", "Cannot use the data folder {path}: {detail}"),
    "not_found": _E("找不到{what_zh} {record_id}", "No {what} with id {record_id}"),
    "invalid": _E("填写内容有误：{detail}", "invalid value: {detail}"),
    "inspection_finished": _E(
        "检查记录 {inspection_id} 已完成，不能再修改",
        "Inspection {inspection_id} is finished and can no longer be changed",
    ),
    "backup_damaged": _E("备份文件 {archive} 无法恢复：{detail_zh}", "cannot restore {archive}: {detail_en}"),
    "target_not_empty": _E(
        "数据文件夹 {target} 中已有数据，恢复将替换这些数据。"
        "确认替换请加 --force（原有数据会移到该文件夹的 replaced-… 子文件夹中保留）。",
        "the data folder {target} already holds data that a restore would replace. Add --force to replace it "
        "(the current data is moved into a replaced-… folder inside it, not deleted).",
    ),
    "seed": _E("演示数据生成失败：{detail}", "demo data cannot be generated: {detail}"),
    "command_refused": _E("操作被拒绝：{detail}", "command refused: {detail}"),
    "photo_error": _E("照片「{name}」{detail_zh}", "photo {name!r}: {detail_en}"),
    "unreadable": _E("照片「{name}」无法读取", "photo {name!r}: cannot be read"),
    "empty": _E("照片「{name}」是空文件", "photo {name!r}: the file is empty"),
    "file_too_large": _E("照片「{name}」文件太大", "photo {name!r}: the file is too large"),
    "not_an_image": _E("照片「{name}」不是图片", "photo {name!r}: not an image"),
    "unsupported_format": _E("照片「{name}」的格式不受支持", "photo {name!r}: unsupported image format"),
    "corrupt": _E("照片「{name}」已损坏", "photo {name!r}: the image is damaged"),
    "too_many_pixels": _E("照片「{name}」尺寸过大", "photo {name!r}: the image is too large"),
    "document_error": _E(
        "文件「{name}」不能作为治理方案：{detail_zh}", "file {name!r} cannot be a remediation plan: {detail_en}"
    ),
    # -- warnings of a photo that was taken in (the photo is stored; the user is told) --
    "photo_damaged_kept": _E(
        "照片「{name}」已损坏（{detail_zh}），按设置仍保存并标记为“已损坏”，原始文件已保留",
        "photo {name!r} is damaged ({detail_en}); kept as set, marked damaged, with its original file",
    ),
    "photo_no_taken_at": _E(
        "照片「{name}」中没有拍摄时间（EXIF/XMP 无 DateTimeOriginal 或 CreateDate），拍摄时间记为“未知”；"
        "文件时间 {file_time} 只是文件时间，不是拍摄时间",
        "photo {name!r} has no time taken (no DateTimeOriginal or CreateDate in EXIF/XMP): recorded as unknown; "
        "the file time {file_time} is only the file's time, not when it was taken",
    ),
    "photo_gps_no_hemisphere": _E(
        "照片「{name}」的 GPS 位置缺少南北/东西标记，记为“半球未知”（{lat}, {lon}），未作推测",
        "photo {name!r}: the GPS position has no N/S/E/W reference; kept as unknown hemisphere ({lat}, {lon}), "
        "not guessed",
    ),
    "photo_exif_damaged": _E(
        "照片「{name}」的 EXIF 信息已损坏，拍摄时间、位置等无法读取",
        "photo {name!r}: the EXIF block is damaged; time taken, position and camera could not be read",
    ),
    "photo_exif_value": _E(
        "照片「{name}」EXIF 中的{what_zh} {value} 无效，已忽略",
        "photo {name!r}: the EXIF {what_en} {value} is invalid and was ignored",
    ),
    "photo_animated": _E(
        "照片「{name}」是动图（{frames} 帧），只保存了第一帧；原始文件已保留",
        "photo {name!r} is animated ({frames} frames): only the first frame was stored; the original file is kept",
    ),
    # -- the ledger's state machine (also the codes of a refused change in a push reply) --
    "unknown_action": _E("未知操作 {action}", "unknown action {action}"),
    "illegal_state": _E("隐患当前状态不允许此操作", "the finding's state does not allow this action"),
    "stale": _E("隐患状态已变化，请按最新状态重新操作", "the finding changed since the command was made"),
    "forbidden_role": _E("您的角色不能执行此操作", "the user's role does not allow this action"),
    "out_of_jurisdiction": _E(
        "辖区 {jurisdiction} 不在您负责的范围内", "jurisdiction {jurisdiction} is outside the user's jurisdictions"
    ),
    "invalid_payload": _E("填写内容有误：{problems}", "invalid payload: {problems}"),
    "same_actor": _E("整改人不能核查自己的整改", "the user who rectified a finding cannot verify it"),
    "escalation_level": _E(
        "该案件为{level}，只有{level}或更高一级的督查员才能结案、不予立案或摘牌（您的辖区级别：{held}）",
        "the case is under {level} supervision: only a supervisor at that level or above may close, reject or lift "
        "it (your scope: {held})",
    ),
    # -- a change refused or in conflict in a push reply (docs/sync-protocol.md: per-change results) --
    "unknown_kind": _E("未知的变更类型 {kind}", "unknown change kind {kind}"),
    "unknown_jurisdiction": _E(
        "辖区编码 {jurisdiction} 不在辖区目录中", "jurisdiction {jurisdiction} is not in the tree"
    ),
    "jurisdiction_too_coarse": _E(
        "辖区编码 {jurisdiction} 不够具体", "jurisdiction {jurisdiction} is not specific enough"
    ),
    "unknown_subject": _E("服务器上没有这个检查对象", "no such subject on the server"),
    "unknown_checklist": _E("服务器上没有检查表 {key}", "no such checklist version {key}"),
    "missing_blobs": _E("服务器还没有这些照片，下次同步再发送", "the server lacks the photos yet: sent again later"),
    "busy": _E("服务器正忙，下次同步再发送", "the server is busy: sent again later"),
    "event_exists": _E("事件 {event_id} 已存在", "this event id is already used"),
    "change_id_taken": _E("变更编号已被使用", "the change id is already used"),
    "exists": _E("记录已存在", "the record already exists"),
    "code_taken": _E("编码 {subject_code} 已被其他检查对象使用", "the code {subject_code} is taken"),
    # -- reports and exports --
    "report_failed": _E("无法生成文档：{detail}", "the document cannot be produced: {detail}"),
    "cjk_font_missing": _E("找不到可用的中文字体：{detail}", "no usable Chinese font was found: {detail}"),
    "export_failed": _E("导出失败：{detail_zh}", "the export failed: {detail_en}"),
    "sheet_unreadable": _E("无法读取表格：{detail_zh}", "the sheet cannot be read: {detail_en}"),
    # -- the sync engine on the laptop --
    "sync_error": _E("同步出错：{detail}", "sync failed: {detail}"),
    "internal": _E("同步出错：{detail}", "sync failed: {detail}"),
    "sync_busy": _E(
        "另一个同步正在此数据文件夹上进行（本程序或命令行），请稍后再试",
        "another sync is running on this data folder (the app or the command line): try again when it ends",
    ),
    "not_configured": _E(
        "尚未设置同步服务器，请先登录（inspector login --server 地址 --username 用户名）",
        "no sync server is set up yet: log in first (inspector login --server URL --username NAME)",
    ),
    "local_storage_full": _E(
        "本机磁盘空间已满，同步已停止：请清理磁盘后再同步；本机已保存的记录和照片不受影响",
        "this computer's disk is full, so the sync stopped: free some space and sync again; the records and "
        "photos already saved here are kept",
    ),
    "network": _E("无法连接服务器（{kind}）", "cannot reach the server ({kind}): {detail}"),
    "tls": _E(
        "无法与服务器建立安全连接（证书不受信任？可设置自定义 CA 证书）：{detail}",
        "cannot make a secure connection to the server (untrusted certificate? set a custom CA bundle): {detail}",
    ),
    "server_error": _E("服务器出错：{detail}", "server fault: {detail}"),
    "bad_reply": _E("服务器的回复无法识别", "the server's reply cannot be read"),
    "server_storage_full": _E(
        "服务器存储空间已满，请联系服务器管理员；未同步的内容都保留在本机，下次同步时再发送",
        "the server has run out of disk space: tell its administrator; everything not yet sent stays on this "
        "computer and is sent in a later sync",
    ),
    "login_required": _E("请重新登录", "please log in again"),
    "upgrade_required": _E(
        "本程序版本 {version} 过旧，服务器要求至少 {minimum}，请安装新版本后再同步（本机数据不受影响）",
        "please upgrade: this app is version {version} and the server needs at least {minimum} "
        "(nothing on this computer is lost)",
    ),
    "incompatible_server": _E(
        "服务器使用的同步协议版本 {supported} 与本程序（版本 {version}）不兼容",
        "the server speaks sync protocol {supported}; this app speaks version {version}",
    ),
    "request_refused": _E(
        "服务器拒绝了请求（{status}）：{message}",
        "the server refused the request ({status} {server_code}): {message}",
    ),
    "unlisted_server_code": _E("服务器的答复：{server_code}", "the server answered {server_code}"),
    "cancelled": _E("同步已取消", "sync cancelled"),
    "bad_server_address": _E("服务器地址无效：{detail}", "the server address is not valid: {detail}"),
    "pending_work_of_another_account": _E(
        "这台电脑上还有 {count} 条 {previous} 的记录尚未同步。请先用 {previous} 登录并同步，再切换账号"
        "（如确需由新账号接手这些记录，请在命令行使用 inspector login --take-over-pending）",
        "{count} change(s) of {previous} are still waiting on this computer. Log in as {previous} and sync "
        "them first, then switch accounts (to send them under the new account on purpose, use "
        "inspector login --take-over-pending)",
    ),
    # -- the server's error replies (docs/sync-protocol.md §1.3: the `error` field) --
    "malformed_json": _E("请求内容不是有效的 JSON", "malformed JSON"),
    "bad_header": _E("请求头格式有误", "a header is malformed"),
    "incomplete_body": _E("请求内容不完整", "the body ended before the bytes its manifest names"),
    "bad_request": _E("请求有误", "bad request"),
    "unauthenticated": _E("需要登录", "authentication required"),
    "token_invalid": _E("登录已失效，请重新登录", "unknown token; log in again"),
    "token_expired": _E("登录已过期，请重新登录", "the session expired; log in again"),
    "token_revoked": _E("这台设备已被管理员停用，请重新登录", "this device was revoked by an administrator"),
    "login_failed": _E("用户名或密码错误", "wrong username or password"),
    "account_disabled": _E("该账号已停用，请联系管理员", "this account is disabled"),
    "forbidden": _E("没有权限", "forbidden"),
    "method_not_allowed": _E("不支持此请求方法", "method not allowed"),
    "offset_mismatch": _E("上传位置不一致", "the upload offset does not match the server's"),
    "upload_not_started": _E("请先开始上传", "start the upload first"),
    "upload_busy": _E("该文件正在上传中", "another request is writing this upload"),
    "length_required": _E("需要 Content-Length 请求头", "Content-Length is required"),
    "payload_too_large": _E("超过 {limit} 字节", "more than {limit} bytes"),
    "unsupported_media_type": _E("不支持的内容类型", "unsupported media type"),
    "validation_failed": _E("请求内容不符合要求", "invalid request"),
    "hash_mismatch": _E("上传的内容与校验值不符", "the uploaded bytes do not match their hash"),
    "protocol_required": _E("请求缺少同步协议版本", "the request names no protocol version"),
    "protocol_unsupported": _E("服务器不支持此同步协议版本", "the server does not speak this protocol version"),
    "client_too_old": _E("本程序版本过旧，请安装新版本", "this app is too old: install a newer version"),
    "rate_limited": _E("登录失败次数过多，请稍后再试", "too many failed logins, try again later"),
    "internal_error": _E("服务器内部错误", "internal server error"),
    "unavailable": _E("服务器数据库无法使用", "the server's database is unavailable"),
    "storage_unwritable": _E(
        "服务器无法写入照片存储，请联系服务器管理员",
        "the server cannot write to its photo store: tell its administrator",
    ),
    "storage_unavailable": _E(
        "服务器的照片存储暂时无法使用，稍后自动重试",
        "the server's photo store is unavailable for now: it is tried again later",
    ),
    "insufficient_storage": _E(
        "服务器存储空间已满，请联系服务器管理员", "the server has run out of disk space: tell its administrator"
    ),
    "http_error": _E("请求失败", "the request failed"),
    "client_disconnected": _E("客户端已断开", "the client went away"),
    # -- choices on the laptop that the server would refuse later (checked before anything is saved) --
    "jurisdiction_format": _E(
        "辖区编码“{jurisdiction}”格式不对：应为 6、9、12 或 15 位数字，请从辖区列表中选择",
        "the jurisdiction code “{jurisdiction}” is malformed: 6, 9, 12 or 15 digits; pick one from the list",
    ),
    "jurisdiction_missing": _E("请选择所属辖区", "please choose a jurisdiction"),
    "place_missing": _E(
        "请选择检查对象，或填写问题所在的地点", "please choose a subject or enter the place of the problem"
    ),
    # -- campaigns (docs/campaigns.md) --
    "campaign_invalid": _E("专项行动有误：{reason_zh}", "the campaign is not valid: {reason_en}"),
    "campaign_rows_invalid": _E(
        "点位表有 {count} 行有误，未导入任何点位", "{count} row(s) of the site sheet are wrong: nothing was imported"
    ),
    "campaign_unknown": _E("没有编号为 {campaign} 的专项行动", "there is no campaign {campaign}"),
    # -- 12345 work orders (docs/hotline.md) --
    "hotline_rows_invalid": _E(
        "12345 工单表有 {count} 行有误，未导入任何工单",
        "{count} row(s) of the 12345 sheet are wrong: nothing was imported",
    ),
    "hotline_mapping_incomplete": _E(
        "列对应不完整，缺少：{fields_zh}", "the column mapping lacks a column for: {fields_en}"
    ),
}


class UserError(Exception):
    """A refusal for people: a catalogued `code`, its Chinese and English text, and the details they were made of.

    `UserError(code=..., **details)` takes both texts from the catalogue; `UserError(zh, en, ...)` gives texts of
    its own. A code the catalogue does not hold (one a newer server sends) is kept in `details["server_code"]` and
    the error takes the catalogue's "unlisted_server_code". `str()` is "中文 / English" for logs and the command line.
    """

    code: str = "error"

    def __init__(
        self, zh: str | None = None, en: str | None = None, /, *, code: str | None = None, **details: object
    ) -> None:
        if code is not None and code != type(self).code:
            if code in CATALOGUE:
                self.code = code  # an instance may narrow its class's code
            else:
                details.setdefault("server_code", code)
                self.code = "unlisted_server_code"
        self.details: dict[str, object] = details
        if zh is None or en is None:
            entry = CATALOGUE[self.code]
            zh = entry.zh.format(**details) if zh is None else zh
            en = entry.en.format(**details) if en is None else en
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")

    def text(self, language: str) -> str:
        """The message in one language ("en…" gives English, anything else Chinese)."""
        return self.en if language.startswith(ENGLISH_PREFIX) else self.zh

    def __reduce__(self) -> tuple[object, ...]:
        """Copied and pickled as made (subclasses' constructors take other arguments than `args`)."""
        return _restore, (type(self), self.args, dict(self.__dict__))


def _restore(kind: type[UserError], args: tuple[object, ...], state: dict[str, object]) -> UserError:
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


def user_error(code: str, /, **details: object) -> UserError:
    """A `UserError` of a catalogued code, its texts made from the catalogue's templates."""
    if code not in CATALOGUE:
        raise KeyError(f"{code!r} is not in the error catalogue")
    return UserError(code=code, **details)


def message_in(error: BaseException, language: str) -> str:
    """The text of any exception for people in "zh" or "en": a UserError's own, else the catalogued fallback. The
    Chinese text is shown without the English and the internal codes the one-line reasons carry (`zh_text`)."""
    if isinstance(error, UserError):
        text = error.text(language)
        return text if language.startswith(ENGLISH_PREFIX) else zh_text(text)
    detail = (str(error).strip().splitlines() or [""])[0][:200]
    entry = CATALOGUE["unexpected"]
    template = entry.en if language.startswith(ENGLISH_PREFIX) else entry.zh
    return template.format(kind=type(error).__name__, detail=detail)


def wire_text(zh: str, en: str) -> str:
    """The one-line "中文 (English)" form the server's replies and the ledger's reasons carry."""
    return f"{zh} ({en})"


# The fields of payloads and records as a Chinese reader knows them: a reason such as "responsible_person: 必填" reads
# "责任人：必填".
FIELD_LABELS_ZH: dict[str, str] = {
    "description": "描述", "category": "类别", "severity": "等级", "jurisdiction": "辖区", "subject_id": "检查对象",
    "subject": "检查对象", "location": "地点", "photos": "照片", "after_photos": "整改后照片",
    "responsible_unit": "责任单位", "responsible_person": "责任人", "responsible_phone": "联系电话",
    "deadline": "整改期限", "measures": "整改措施", "funds": "整改资金", "contingency_plan": "应急预案",
    "reason": "理由", "opinion": "核查意见", "note": "备注", "level": "督办级别", "rectification": "整改情况",
    "ledger_number": "台账编号", "name": "名称", "address": "地址", "code": "编码", "lat": "纬度", "lon": "经度",
    "suggested_deadline": "建议整改期限", "photo_required": "照片要求", "kind": "类型", "details": "详细信息",
    "source": "发现方式", "interim_controls": "临时管控措施", "governance_plan": "治理方案",
    "reported_upward_to": "报告对象", "reported_upward_on": "报告日期", "doc_no": "督办文号", "unit": "督办单位",
    "on_behalf_of_unit": "代责任单位申请",
}  # fmt: skip
_ASCII_ASIDE = re.compile(r"\s*[（(][^()（）\u3000-\u9fff]*[A-Za-z][^()（）\u3000-\u9fff]*[)）]")
_CODE_WITH_NAME = re.compile(r"[a-z][a-z_]*\(([^()]*[\u4e00-\u9fff][^()]*)\)")  # general(一般隐患) → 一般隐患
_FIELD_NAMES = "|".join(sorted(FIELD_LABELS_ZH, key=len, reverse=True))
_BARE_FIELD = re.compile(rf"(?<![A-Za-z_])({_FIELD_NAMES})\s+(?=[\u3000-\u9fff])")  # "lat 超出范围" → "纬度 超出范围"
_CJK_COLON = re.compile(r"(?<=[\u3000-\u9fff])\s*:\s*")
_FIELD_KEY = re.compile(r"(?<![A-Za-z_])([a-z][a-z_]*(?:/[a-z][a-z_]*)*)\s*[:：]\s*")


def zh_text(text: str) -> str:
    """A Chinese message as people should read it: no "(English)" asides, field keys as their Chinese names, and no
    internal codes (a snake_case word before a colon that names no field is dropped)."""
    cleaned = _CJK_COLON.sub("：", _ASCII_ASIDE.sub("", _CODE_WITH_NAME.sub(r"\1", text)))
    cleaned = _BARE_FIELD.sub(lambda match: FIELD_LABELS_ZH[match.group(1)] + " ", cleaned)

    def field(match: re.Match[str]) -> str:
        names = [FIELD_LABELS_ZH.get(part) for part in match.group(1).split("/")]
        if all(names):
            return "/".join(name for name in names if name) + "："
        return "" if "_" in match.group(1) else match.group(0)

    return _FIELD_KEY.sub(field, cleaned).strip()
