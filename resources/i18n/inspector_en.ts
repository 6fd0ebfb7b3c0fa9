<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
    <context>
        <name>ActionDialog</name>
        <message>
            <source>街乡督办</source>
            <translation>Street-level supervision</translation>
        </message>
        <message>
            <source>区级督办</source>
            <translation>District-level supervision</translation>
        </message>
        <message>
            <source>市级督办</source>
            <translation>City-level supervision</translation>
        </message>
        <message>
            <source>新的整改期限</source>
            <translation>New deadline</translation>
        </message>
        <message>
            <source>整改期限</source>
            <translation>Deadline</translation>
        </message>
        <message>
            <source>督办意见</source>
            <translation>Supervision note</translation>
        </message>
        <message>
            <source>隐患等级</source>
            <translation>Hazard grade</translation>
        </message>
        <message>
            <source>备注</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>理由</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>责任单位</source>
            <translation>Responsible unit</translation>
        </message>
        <message>
            <source>责任人</source>
            <translation>Responsible person</translation>
        </message>
        <message>
            <source>联系电话</source>
            <translation>Phone</translation>
        </message>
        <message>
            <source>整改措施</source>
            <translation>Measures</translation>
        </message>
        <message>
            <source>整改资金</source>
            <translation>Funds</translation>
        </message>
        <message>
            <source>应急预案</source>
            <translation>Contingency plan</translation>
        </message>
        <message>
            <source>整改情况</source>
            <translation>What was done</translation>
        </message>
        <message>
            <source>整改后照片</source>
            <translation>After-photos</translation>
        </message>
        <message>
            <source>核查意见</source>
            <translation>Verification opinion</translation>
        </message>
        <message>
            <source>督办级别</source>
            <translation>Supervision level</translation>
        </message>
        <message>
            <source>重大隐患须落实责任、措施、资金、时限和预案（五落实）。</source>
            <translation>A major hazard needs responsibility, measures, funds, a deadline and a contingency plan (the five assurances).</translation>
        </message>
        <message>
            <source>给出新期限</source>
            <translation>Set a new deadline</translation>
        </message>
        <message>
            <source>整改前</source>
            <translation>Before</translation>
        </message>
        <message>
            <source>整改后</source>
            <translation>After</translation>
        </message>
        <message>
            <source>请等待照片导入完成。</source>
            <translation>Wait until the photo import is done.</translation>
        </message>
        <message>
            <source>整改情况：%1</source>
            <translation>Rectification: %1</translation>
        </message>
        <message>
            <source>（未填写）</source>
            <translation>(not given)</translation>
        </message>
        <message>
            <source>申请延期至</source>
            <translation>Extend to</translation>
        </message>
        <message>
            <source>督办单位</source>
            <translation>Supervising body</translation>
        </message>
        <message>
            <source>督办文号</source>
            <translation>Supervision document no.</translation>
        </message>
        <message>
            <source>临时管控措施</source>
            <translation>Interim controls</translation>
        </message>
        <message>
            <source>治理方案（PDF 或照片）</source>
            <translation>Remediation plan (PDF or photos)</translation>
        </message>
        <message>
            <source>已向上报告（报告对象）</source>
            <translation>Reported upward to</translation>
        </message>
        <message>
            <source>报告日期</source>
            <translation>Reported on</translation>
        </message>
        <message>
            <source>代责任单位申请</source>
            <translation>On behalf of the responsible unit</translation>
        </message>
        <message>
            <source>重大隐患须落实责任、措施、资金、时限和预案（五落实），并写明临时管控措施、附治理方案、记录向上报告的对象和日期。</source>
            <translation>A major hazard needs responsibility, measures, funds, a deadline and a contingency plan (the five assurances), plus interim controls, a remediation plan, and to whom and when it was reported upward.</translation>
        </message>
        <message>
            <source>附 PDF 文件…</source>
            <translation>Attach PDF…</translation>
        </message>
        <message>
            <source>治理方案</source>
            <translation>Remediation plan</translation>
        </message>
        <message>
            <source>PDF 文件 (*.pdf)</source>
            <translation>PDF files (*.pdf)</translation>
        </message>
        <message>
            <source>已附：%1</source>
            <translation>Attached: %1</translation>
        </message>
    </context>
    <context>
        <name>AdhocFindingDialog</name>
        <message>
            <source>随手拍：记录问题</source>
            <translation>Quick report: record a problem</translation>
        </message>
        <message>
            <source>（不选检查对象）</source>
            <translation>(no subject)</translation>
        </message>
        <message>
            <source>不选检查对象时必填，如：东四北大街 12 号门前</source>
            <translation>Required without a subject, e.g. in front of Dongsi North St. No. 12</translation>
        </message>
        <message>
            <source>如：乱堆乱放、燃气安全</source>
            <translation>e.g. 乱堆乱放, 燃气安全</translation>
        </message>
        <message>
            <source>检查对象</source>
            <translation>Subjects</translation>
        </message>
        <message>
            <source>地点</source>
            <translation>Place</translation>
        </message>
        <message>
            <source>所属辖区</source>
            <translation>Jurisdiction</translation>
        </message>
        <message>
            <source>类别 *</source>
            <translation>Category *</translation>
        </message>
        <message>
            <source>等级</source>
            <translation>Grade</translation>
        </message>
        <message>
            <source>描述 *</source>
            <translation>Description *</translation>
        </message>
        <message>
            <source>照片</source>
            <translation>Photos</translation>
        </message>
        <message>
            <source>上报问题</source>
            <translation>Report finding</translation>
        </message>
        <message>
            <source>请等待照片导入完成。</source>
            <translation>Wait until the photo import is done.</translation>
        </message>
        <message>
            <source>案件类型 *</source>
            <translation>Case type *</translation>
        </message>
        <message>
            <source>发现方式 *</source>
            <translation>Found by *</translation>
        </message>
        <message>
            <source>隐患等级</source>
            <translation>Hazard grade</translation>
        </message>
    </context>
    <context>
        <name>AppController</name>
        <message>
            <source>恢复失败</source>
            <translation>Restore failed</translation>
        </message>
        <message>
            <source>已从备份恢复。</source>
            <translation>Restored from the backup.</translation>
        </message>
        <message>
            <source>恢复完成，但缺少照片</source>
            <translation>Restored, but photos are missing</translation>
        </message>
        <message>
            <source>其余数据已恢复；备份中没有以下 %1 张照片：</source>
            <translation>Everything else is restored; the backup did not hold these %1 photo(s):</translation>
        </message>
    </context>
    <context>
        <name>CampaignsView</name>
        <message>
            <source>专项行动</source>
            <translation>Campaigns</translation>
        </message>
        <message>
            <source>刷新</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>导出总结…</source>
            <translation>Export summary…</translation>
        </message>
        <message>
            <source>用此检查表检查该点位</source>
            <translation>Inspect this site with this checklist</translation>
        </message>
        <message>
            <source>检查表：</source>
            <translation>Checklist:</translation>
        </message>
        <message>
            <source>名称</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>类型</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>期间</source>
            <translation>Period</translation>
        </message>
        <message>
            <source>已检查/点位</source>
            <translation>Checked/sites</translation>
        </message>
        <message>
            <source>发现/整改</source>
            <translation>Found/fixed</translation>
        </message>
        <message>
            <source>整改率</source>
            <translation>Fix rate</translation>
        </message>
        <message>
            <source>检查点位</source>
            <translation>Site</translation>
        </message>
        <message>
            <source>街乡编码</source>
            <translation>Street code</translation>
        </message>
        <message>
            <source>地址</source>
            <translation>Address</translation>
        </message>
        <message>
            <source>检查情况</source>
            <translation>Checked</translation>
        </message>
        <message>
            <source>正在计算…</source>
            <translation>Computing…</translation>
        </message>
        <message>
            <source>共 %1 项，其中分配给我 %2 项</source>
            <translation>%1 campaigns, %2 assigned to me</translation>
        </message>
        <message>
            <source>还没有专项行动：区里建立后，同步即可收到。</source>
            <translation>No campaigns yet: once the district makes one, a sync brings it.</translation>
        </message>
        <message>
            <source>隐患挂账 %1、销账 %2（一般 %3、重大 %4）；问题立案 %5、结案 %6；检查人员：%7</source>
            <translation>Hazards open %1, closed %2 (general %3, major %4); problems filed %5, closed %6; inspectors: %7</translation>
        </message>
        <message>
            <source>已检查</source>
            <translation>checked</translation>
        </message>
        <message>
            <source>未检查</source>
            <translation>not checked</translation>
        </message>
        <message>
            <source>PDF (*.pdf);;Excel (*.xlsx)</source>
            <translation>PDF (*.pdf);;Excel (*.xlsx)</translation>
        </message>
        <message>
            <source>正在导出专项行动总结…</source>
            <translation>Exporting the campaign summary…</translation>
        </message>
    </context>
    <context>
        <name>ConflictsDialog</name>
        <message>
            <source>冲突与被拒绝的变更</source>
            <translation>Conflicts and rejected changes</translation>
        </message>
    </context>
    <context>
        <name>ConflictsView</name>
        <message>
            <source>描述</source>
            <translation>Description</translation>
        </message>
        <message>
            <source>理由</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>等级</source>
            <translation>Grade</translation>
        </message>
        <message>
            <source>类别</source>
            <translation>Category</translation>
        </message>
        <message>
            <source>责任单位</source>
            <translation>Responsible unit</translation>
        </message>
        <message>
            <source>责任人</source>
            <translation>Responsible person</translation>
        </message>
        <message>
            <source>联系电话</source>
            <translation>Phone</translation>
        </message>
        <message>
            <source>整改期限</source>
            <translation>Deadline</translation>
        </message>
        <message>
            <source>整改措施</source>
            <translation>Measures</translation>
        </message>
        <message>
            <source>整改资金</source>
            <translation>Funds</translation>
        </message>
        <message>
            <source>应急预案</source>
            <translation>Contingency plan</translation>
        </message>
        <message>
            <source>核查意见</source>
            <translation>Verification opinion</translation>
        </message>
        <message>
            <source>备注</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>督办级别</source>
            <translation>Supervision level</translation>
        </message>
        <message>
            <source>整改情况</source>
            <translation>What was done</translation>
        </message>
        <message>
            <source>名称</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>地址</source>
            <translation>Address</translation>
        </message>
        <message>
            <source>编码</source>
            <translation>Code</translation>
        </message>
        <message>
            <source>照片 %1 张</source>
            <translation>%1 photo(s)</translation>
        </message>
        <message>
            <source>%1：%2</source>
            <translation>%1: %2</translation>
        </message>
        <message>
            <source>当时看到的状态：%1</source>
            <translation>State seen at the time: %1</translation>
        </message>
        <message>
            <source>操作时间：%1</source>
            <translation>Done at: %1</translation>
        </message>
        <message>
            <source>服务器没有给出当前记录。</source>
            <translation>The server did not send its current record.</translation>
        </message>
        <message>
            <source>版本：%1</source>
            <translation>Version: %1</translation>
        </message>
        <message>
            <source>服务器上已有这条记录。</source>
            <translation>The server already has this record.</translation>
        </message>
        <message>
            <source>服务器上没有这条问题（或不在您的辖区内）。</source>
            <translation>The server has no such finding (or it is outside your jurisdictions).</translation>
        </message>
        <message>
            <source>状态：%1</source>
            <translation>State: %1</translation>
        </message>
        <message>
            <source>台账编号：%1</source>
            <translation>Ledger number: %1</translation>
        </message>
        <message>
            <source>等级：%1</source>
            <translation>Grade: %1</translation>
        </message>
        <message>
            <source>最后一次操作：%1（%2）</source>
            <translation>Last action: %1 (%2)</translation>
        </message>
        <message>
            <source>共 %1 次操作</source>
            <translation>%1 action(s) in all</translation>
        </message>
        <message>
            <source>冲突：记录在服务器上已变化；被拒绝：规则或权限不允许。</source>
            <translation>Conflict: the record changed on the server; rejected: the rules or your permissions do not allow it.</translation>
        </message>
        <message numerus="yes">
            <source>服务器未接受的变更 %n 项。</source>
            <translation>
                <numerusform>%n change the server did not take. </numerusform>
                <numerusform>%n changes the server did not take. </numerusform>
            </translation>
        </message>
        <message>
            <source>没有需要处理的变更。</source>
            <translation>Nothing to decide.</translation>
        </message>
        <message>
            <source>服务器的答复：%1</source>
            <translation>The server&apos;s answer: %1</translation>
        </message>
        <message>
            <source>所属辖区</source>
            <translation>Jurisdiction</translation>
        </message>
        <message>
            <source>需要修改：%1</source>
            <translation>To correct: %1</translation>
        </message>
        <message>
            <source>被拒绝：上面标出的一项填写有误，改正后可重新提交，或放弃。</source>
            <translation>Rejected: the field marked above is wrong; correct it and send again, or discard.</translation>
        </message>
        <message>
            <source>不能重新提交：%1</source>
            <translation>Cannot re-apply: %1</translation>
        </message>
        <message>
            <source>已重新提交，下次同步时上传。</source>
            <translation>Re-applied; it goes up with the next sync.</translation>
        </message>
        <message>
            <source>已修改并重新提交，下次同步时上传。</source>
            <translation>Corrected and sent again; it goes up with the next sync.</translation>
        </message>
        <message>
            <source>放弃这项变更</source>
            <translation>Discard this change</translation>
        </message>
        <message>
            <source>放弃后这项变更不会再上传，服务器上的记录保持现状。确定放弃吗？</source>
            <translation>Once discarded, this change is not sent again and the server&apos;s record stays as it is. Discard it?</translation>
        </message>
        <message>
            <source>已放弃这项变更。</source>
            <translation>The change was discarded.</translation>
        </message>
        <message>
            <source>冲突与被拒绝的变更</source>
            <translation>Conflicts and rejected changes</translation>
        </message>
        <message>
            <source>状态</source>
            <translation>State</translation>
        </message>
        <message>
            <source>记录</source>
            <translation>Record</translation>
        </message>
        <message>
            <source>本机的操作</source>
            <translation>This laptop&apos;s action</translation>
        </message>
        <message>
            <source>原因</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>时间</source>
            <translation>Time</translation>
        </message>
        <message>
            <source>服务器当前状态</source>
            <translation>Current state on the server</translation>
        </message>
        <message>
            <source>重新提交</source>
            <translation>Re-apply</translation>
        </message>
        <message>
            <source>按服务器的当前状态再提交一次同样的操作（仍按台账规则检查）</source>
            <translation>Queue the same action again on the server&apos;s current state (checked by the ledger rules)</translation>
        </message>
        <message>
            <source>放弃…</source>
            <translation>Discard…</translation>
        </message>
        <message>
            <source>修改后重新提交</source>
            <translation>Correct and send again</translation>
        </message>
        <message>
            <source>不再上传这项变更</source>
            <translation>Do not send this change again</translation>
        </message>
        <message>
            <source>被拒绝：规则或权限不允许这项变更，重新提交也会被拒绝，只能放弃。</source>
            <translation>Rejected: the rules or your permissions do not allow this change; re-applied it would be rejected again, so it can only be discarded.</translation>
        </message>
        <message>
            <source>冲突：记录在服务器上已变化，可按当前状态重新提交，或放弃。</source>
            <translation>Conflict: the record changed on the server; re-apply the change on its current state, or discard it.</translation>
        </message>
        <message>
            <source>冲突：记录在服务器上已变化，这项变更只能放弃。</source>
            <translation>Conflict: the record changed on the server; this change can only be discarded.</translation>
        </message>
    </context>
    <context>
        <name>CrashReporter</name>
        <message>
            <source>程序出错</source>
            <translation>Unexpected error</translation>
        </message>
        <message>
            <source>程序遇到意外错误。已保存的检查数据不受影响，您可以继续工作。</source>
            <translation>The program hit an unexpected error. Saved inspection data is not affected; you can keep working.</translation>
        </message>
        <message>
            <source>错误详情已写入日志文件：</source>
            <translation>The details were written to the log file:</translation>
        </message>
        <message>
            <source>磁盘空间不足</source>
            <translation>Disk full</translation>
        </message>
        <message>
            <source>磁盘已满，刚才的操作可能没有保存。请清理磁盘空间（例如删除不需要的文件、清空回收站）后重试。已保存的检查数据不受影响。</source>
            <translation>The disk is full, so what you just did may not have been saved. Free some disk space (delete files you do not need, empty the recycle bin) and try again. Saved inspection data is not affected.</translation>
        </message>
    </context>
    <context>
        <name>Errors</name>
        <message>
            <source>出错了</source>
            <translation>Something went wrong</translation>
        </message>
    </context>
    <context>
        <name>ExportRunner</name>
        <message>
            <source>导出到</source>
            <translation>Export to</translation>
        </message>
        <message>
            <source>取消</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>已导出：%1</source>
            <translation>Exported: %1</translation>
        </message>
        <message>
            <source>导出已取消。</source>
            <translation>Export cancelled.</translation>
        </message>
        <message>
            <source>导出失败</source>
            <translation>Export failed</translation>
        </message>
    </context>
    <context>
        <name>FindingDetail</name>
        <message>
            <source>照片尚未下载：%1 张，正在获取……</source>
            <translation>Photos not here yet: %1, fetching them now…</translation>
        </message>
        <message>
            <source>逾期</source>
            <translation>Overdue</translation>
        </message>
        <message>
            <source>未定</source>
            <translation>not set</translation>
        </message>
        <message>
            <source>未派遣</source>
            <translation>not assigned</translation>
        </message>
        <message>
            <source>检查表 %1</source>
            <translation>checklist item %1</translation>
        </message>
        <message>
            <source>冲突：服务器未采纳本机的操作。</source>
            <translation>Conflict: the server did not take this laptop&apos;s action.</translation>
        </message>
        <message>
            <source>等待服务器确认：本机的操作已保存，同步后生效。</source>
            <translation>Waiting for server: the action is saved here and takes effect once synced.</translation>
        </message>
        <message>
            <source>随手拍</source>
            <translation>Quick report</translation>
        </message>
        <message>
            <source>已同步</source>
            <translation>Synced</translation>
        </message>
        <message>
            <source>状态</source>
            <translation>State</translation>
        </message>
        <message>
            <source>等级</source>
            <translation>Grade</translation>
        </message>
        <message>
            <source>类别</source>
            <translation>Category</translation>
        </message>
        <message>
            <source>检查对象</source>
            <translation>Subject</translation>
        </message>
        <message>
            <source>街乡</source>
            <translation>Street</translation>
        </message>
        <message>
            <source>整改期限</source>
            <translation>Deadline</translation>
        </message>
        <message>
            <source>责任单位</source>
            <translation>Responsible unit</translation>
        </message>
        <message>
            <source>责任人</source>
            <translation>Responsible person</translation>
        </message>
        <message>
            <source>整改措施</source>
            <translation>Measures</translation>
        </message>
        <message>
            <source>整改资金</source>
            <translation>Funds</translation>
        </message>
        <message>
            <source>上报时间</source>
            <translation>Reported</translation>
        </message>
        <message>
            <source>来源</source>
            <translation>Origin</translation>
        </message>
        <message>
            <source>应急预案</source>
            <translation>Contingency plan</translation>
        </message>
        <message>
            <source>督办</source>
            <translation>Supervision</translation>
        </message>
        <message>
            <source>地点</source>
            <translation>Place</translation>
        </message>
        <message>
            <source>发现人</source>
            <translation>Reported by</translation>
        </message>
        <message>
            <source>时限</source>
            <translation>Time limit</translation>
        </message>
        <message>
            <source>整改通知书</source>
            <translation>Notice</translation>
        </message>
        <message>
            <source>检查记录</source>
            <translation>Record</translation>
        </message>
        <message>
            <source>公示牌</source>
            <translation>Board</translation>
        </message>
        <message>
            <source>导出整改通知书 PDF（已派遣的隐患）</source>
            <translation>Export the rectification notice as PDF (assigned findings)</translation>
        </message>
        <message>
            <source>导出发现该问题的检查记录 PDF</source>
            <translation>Export the record of the inspection that found it as PDF</translation>
        </message>
        <message>
            <source>导出门前三包责任公示牌 PDF</source>
            <translation>Export the street-front responsibility board as PDF</translation>
        </message>
        <message>
            <source>整改前</source>
            <translation>Before</translation>
        </message>
        <message>
            <source>整改后</source>
            <translation>After</translation>
        </message>
        <message>
            <source>处理记录</source>
            <translation>Timeline</translation>
        </message>
        <message>
            <source>在左侧选择一个问题查看详情。</source>
            <translation>Select a finding on the left to see its details.</translation>
        </message>
        <message>
            <source>原因：%1</source>
            <translation>Reason: %1</translation>
        </message>
        <message>
            <source>被拒绝：服务器拒绝了本机的操作，它不会生效。</source>
            <translation>Rejected: the server refused this laptop&apos;s action; it will not take effect.</translation>
        </message>
        <message>
            <source>整改反馈人</source>
            <translation>Fix reported by</translation>
        </message>
        <message>
            <source>督办期限 %1</source>
            <translation>Supervision deadline %1</translation>
        </message>
        <message>
            <source>已延期 %1 次：%2</source>
            <translation>Extended %1 time(s): %2</translation>
        </message>
        <message>
            <source>申请延期至 %1，待审批</source>
            <translation>Extension to %1 requested, awaiting decision</translation>
        </message>
        <message>
            <source>%1 个文件</source>
            <translation>%1 file(s)</translation>
        </message>
        <message>
            <source>案件类型</source>
            <translation>Case type</translation>
        </message>
        <message>
            <source>发现方式</source>
            <translation>Found by</translation>
        </message>
        <message>
            <source>临时管控措施</source>
            <translation>Interim controls</translation>
        </message>
        <message>
            <source>治理方案</source>
            <translation>Remediation plan</translation>
        </message>
        <message>
            <source>向上报告</source>
            <translation>Reported upward</translation>
        </message>
        <message>
            <source>延期</source>
            <translation>Extensions</translation>
        </message>
        <message>
            <source>打开治理方案（PDF）</source>
            <translation>Open remediation plan (PDF)</translation>
        </message>
    </context>
    <context>
        <name>FindingsView</name>
        <message numerus="yes">
            <source>共 %n 条</source>
            <translation>
                <numerusform>%n in all</numerusform>
                <numerusform>%n in all</numerusform>
            </translation>
        </message>
        <message>
            <source>已保存，等待服务器确认。</source>
            <translation>Saved; waiting for the server.</translation>
        </message>
        <message>
            <source>Excel 工作簿 (*.xlsx)</source>
            <translation>Excel workbook (*.xlsx)</translation>
        </message>
        <message>
            <source>正在导出台账…</source>
            <translation>Exporting the ledger…</translation>
        </message>
        <message>
            <source>PDF 文件 (*.pdf)</source>
            <translation>PDF file (*.pdf)</translation>
        </message>
        <message>
            <source>正在生成 PDF…</source>
            <translation>Making the PDF…</translation>
        </message>
        <message>
            <source>隐患台账</source>
            <translation>Hazard ledger</translation>
        </message>
        <message>
            <source>随手拍</source>
            <translation>Quick report</translation>
        </message>
        <message>
            <source>导出台账</source>
            <translation>Export ledger</translation>
        </message>
        <message>
            <source>12345 工单…</source>
            <translation>12345 orders…</translation>
        </message>
        <message>
            <source>导入 12345 工单表，或导出工单办理情况</source>
            <translation>Import a 12345 work-order sheet, or export the orders' handling status</translation>
        </message>
        <message>
            <source>把当前筛选出的隐患导出为 Excel 台账</source>
            <translation>Export the findings shown as an Excel ledger</translation>
        </message>
    </context>
    <context>
        <name>HotlineImportDialog</name>
        <message>
            <source>导入 12345 工单</source>
            <translation>Import 12345 work orders</translation>
        </message>
        <message>
            <source>选择文件…</source>
            <translation>Choose file…</translation>
        </message>
        <message>
            <source>下载导入模板…</source>
            <translation>Save import template…</translation>
        </message>
        <message>
            <source>导出办理情况…</source>
            <translation>Export handling status…</translation>
        </message>
        <message>
            <source>选择热线平台导出的 .xlsx 或 .csv 工单表。按模板表头可直接导入；其他表头在下一步对应一次，以后自动沿用。</source>
            <translation>Choose the .xlsx or .csv work-order sheet exported by the hotline platform. The template's headers import directly; other headers are mapped once in the next step and remembered.</translation>
        </message>
        <message>
            <source>选择 12345 工单表</source>
            <translation>Choose a 12345 work-order sheet</translation>
        </message>
        <message>
            <source>表格 (*.xlsx *.csv)</source>
            <translation>Sheets (*.xlsx *.csv)</translation>
        </message>
        <message>
            <source>正在读取 %1…</source>
            <translation>Reading %1…</translation>
        </message>
        <message>
            <source>（无此列）</source>
            <translation>(no such column)</translation>
        </message>
        <message>
            <source>第 %1 列</source>
            <translation>Column %1</translation>
        </message>
        <message>
            <source>已按上次对应此表头的设置填好。</source>
            <translation>Filled in as these headers were mapped last time.</translation>
        </message>
        <message>
            <source>请确认每个字段对应的列（* 为必填）。</source>
            <translation>Check the column of each field (* required).</translation>
        </message>
        <message>
            <source>%1：%2 行数据</source>
            <translation>%1: %2 data rows</translation>
        </message>
        <message>
            <source>15 位辖区编码</source>
            <translation>15-digit jurisdiction code</translation>
        </message>
        <message>
            <source>未填街乡的工单归入</source>
            <translation>Orders without a 街乡 go to</translation>
        </message>
        <message>
            <source>上一步</source>
            <translation>Back</translation>
        </message>
        <message>
            <source>预览</source>
            <translation>Preview</translation>
        </message>
        <message>
            <source>可导入 %1 个工单（其中 %2 个已导入过，不会重复建案）；有误 %3 行</source>
            <translation>%1 orders can be imported (%2 of them already were and will not be duplicated); %3 bad rows</translation>
        </message>
        <message>
            <source>导入</source>
            <translation>Import</translation>
        </message>
        <message>
            <source>工单编号</source>
            <translation>Order number</translation>
        </message>
        <message>
            <source>诉求内容</source>
            <translation>Demand</translation>
        </message>
        <message>
            <source>诉求地址</source>
            <translation>Address</translation>
        </message>
        <message>
            <source>回复期限</source>
            <translation>Reply deadline</translation>
        </message>
        <message>
            <source>辖区</source>
            <translation>Jurisdiction</translation>
        </message>
        <message>
            <source>关闭</source>
            <translation>Close</translation>
        </message>
        <message>
            <source>已导入 %1 个工单并建案；%2 个工单已导入过，未重复建案。</source>
            <translation>Imported %1 work orders as cases; %2 were already here and were not duplicated.</translation>
        </message>
        <message>
            <source>没有导入任何工单：</source>
            <translation>No work order was imported: </translation>
        </message>
        <message>
            <source>保存导入模板</source>
            <translation>Save import template</translation>
        </message>
        <message>
            <source>Excel (*.xlsx)</source>
            <translation>Excel (*.xlsx)</translation>
        </message>
        <message>
            <source>导出办理情况</source>
            <translation>Export handling status</translation>
        </message>
        <message>
            <source>已导出 %1 个工单的办理情况</source>
            <translation>Exported the handling status of %1 work orders</translation>
        </message>
        <message>
            <source>第 %1 行 %2：%3</source>
            <translation>Row %1 %2: %3</translation>
        </message>
    </context>
    <context>
        <name>ImportReportDialog</name>
        <message>
            <source>导入结果</source>
            <translation>Import result</translation>
        </message>
        <message>
            <source>已导入 %1 个检查对象，跳过 %2 行。</source>
            <translation>Imported %1 subjects, skipped %2 rows.</translation>
        </message>
        <message>
            <source>导入已取消，已导入的对象保留。</source>
            <translation>The import was cancelled; subjects already imported are kept.</translation>
        </message>
        <message>
            <source>行号</source>
            <translation>Row</translation>
        </message>
        <message>
            <source>名称</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>原因</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>保存错误报告…</source>
            <translation>Save error report…</translation>
        </message>
        <message>
            <source>保存错误报告</source>
            <translation>Save error report</translation>
        </message>
    </context>
    <context>
        <name>InspectionsView</name>
        <message>
            <source>检查层级</source>
            <translation>Level</translation>
        </message>
        <message>
            <source>未完成</source>
            <translation>Unfinished</translation>
        </message>
        <message>
            <source>已完成</source>
            <translation>Finished</translation>
        </message>
        <message numerus="yes">
            <source>共 %n 条</source>
            <translation>
                <numerusform>%n in all</numerusform>
                <numerusform>%n in all</numerusform>
            </translation>
        </message>
        <message>
            <source>不能删除</source>
            <translation>Cannot delete</translation>
        </message>
        <message>
            <source>已完成的检查记录不能删除。</source>
            <translation>A finished inspection cannot be deleted.</translation>
        </message>
        <message>
            <source>删除草稿</source>
            <translation>Delete draft</translation>
        </message>
        <message>
            <source>删除这条未完成的检查？已填写的内容将丢失（照片仍保留在本机）。</source>
            <translation>Delete this unfinished inspection? Its answers are lost (photos stay on this computer).</translation>
        </message>
        <message>
            <source>检查记录</source>
            <translation>Inspection records</translation>
        </message>
        <message>
            <source>全部</source>
            <translation>All</translation>
        </message>
        <message>
            <source>新建检查</source>
            <translation>New inspection</translation>
        </message>
        <message>
            <source>打开</source>
            <translation>Open</translation>
        </message>
        <message>
            <source>状态</source>
            <translation>State</translation>
        </message>
        <message>
            <source>检查对象</source>
            <translation>Subjects</translation>
        </message>
        <message>
            <source>检查表</source>
            <translation>Checklist</translation>
        </message>
        <message>
            <source>结果</source>
            <translation>Result</translation>
        </message>
        <message>
            <source>开始时间</source>
            <translation>Started</translation>
        </message>
        <message>
            <source>更新时间</source>
            <translation>Updated</translation>
        </message>
        <message>
            <source>同步</source>
            <translation>Sync</translation>
        </message>
    </context>
    <context>
        <name>ItemPanel</name>
        <message>
            <source>（本项没有补充说明）</source>
            <translation>(no further guidance for this item)</translation>
        </message>
        <message>
            <source>%1 分，每处扣 %2 分</source>
            <translation>%1 points, %2 deducted per occurrence</translation>
        </message>
        <message>
            <source>%1 分</source>
            <translation>%1 points</translation>
        </message>
        <message>
            <source>依据：</source>
            <translation>Source: </translation>
        </message>
        <message>
            <source>原文：</source>
            <translation>Rule text: </translation>
        </message>
        <message>
            <source>说明：</source>
            <translation>Note: </translation>
        </message>
        <message>
            <source>摘录：</source>
            <translation>Excerpt: </translation>
        </message>
        <message>
            <source>合格范围 %1–%2</source>
            <translation>passes within %1–%2</translation>
        </message>
        <message>
            <source>不低于 %1</source>
            <translation>at least %1</translation>
        </message>
        <message>
            <source>不高于 %1</source>
            <translation>at most %1</translation>
        </message>
        <message>
            <source>扣 %1 分</source>
            <translation>%1 points deducted</translation>
        </message>
        <message>
            <source>本项不合格时必须拍照取证：请添加至少一张照片。</source>
            <translation>A failure of this item needs photo evidence: add at least one photo.</translation>
        </message>
        <message>
            <source>不合格时需要至少一张照片。</source>
            <translation>A failure needs at least one photo.</translation>
        </message>
        <message>
            <source>照片可选。</source>
            <translation>Photos are optional.</translation>
        </message>
        <message>
            <source>生成问题（必需）</source>
            <translation>Report a finding (required)</translation>
        </message>
        <message>
            <source>生成问题（可选）</source>
            <translation>Report a finding (optional)</translation>
        </message>
        <message>
            <source>写明发现的问题（检查项：%1）</source>
            <translation>Describe the problem found (item: %1)</translation>
        </message>
        <message>
            <source>天，建议 %1 前整改完毕</source>
            <translation>days: fixed by %1</translation>
        </message>
        <message>
            <source>天（0 表示不建议期限）</source>
            <translation>days (0: no suggestion)</translation>
        </message>
        <message>
            <source>怎么查</source>
            <translation>How to check</translation>
        </message>
        <message>
            <source>合格</source>
            <translation>Pass</translation>
        </message>
        <message>
            <source>不合格</source>
            <translation>Fail</translation>
        </message>
        <message>
            <source>不适用</source>
            <translation>N/A</translation>
        </message>
        <message>
            <source>清除</source>
            <translation>Clear</translation>
        </message>
        <message>
            <source>测量值</source>
            <translation>Measured value</translation>
        </message>
        <message>
            <source>输入数值</source>
            <translation>Enter a number</translation>
        </message>
        <message>
            <source>记录观察到的情况</source>
            <translation>Record what you observed</translation>
        </message>
        <message>
            <source>发现处数</source>
            <translation>Occurrences</translation>
        </message>
        <message>
            <source>备注</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>现场情况、位置等（自动保存）</source>
            <translation>What you saw, where exactly (saved automatically)</translation>
        </message>
        <message>
            <source>照片</source>
            <translation>Photos</translation>
        </message>
        <message>
            <source>问题（完成检查时上报）</source>
            <translation>Finding (reported when the inspection is finished)</translation>
        </message>
        <message>
            <source>描述</source>
            <translation>Description</translation>
        </message>
        <message>
            <source>类别</source>
            <translation>Category</translation>
        </message>
        <message>
            <source>等级</source>
            <translation>Grade</translation>
        </message>
        <message>
            <source>整改期限建议</source>
            <translation>Suggested deadline</translation>
        </message>
    </context>
    <context>
        <name>ItemsModel</name>
        <message numerus="yes">
            <source>%n 张照片</source>
            <translation>
                <numerusform>%n photo</numerusform>
                <numerusform>%n photos</numerusform>
            </translation>
        </message>
        <message>
            <source>检查项</source>
            <translation>Item</translation>
        </message>
        <message>
            <source>结果</source>
            <translation>Result</translation>
        </message>
    </context>
    <context>
        <name>JurisdictionEdit</name>
        <message>
            <source>输入街道、社区名称搜索，如“三里屯”</source>
            <translation>Type a street or community name, e.g. “Sanlitun”</translation>
        </message>
    </context>
    <context>
        <name>Labels</name>
        <message>
            <source>达标街巷</source>
            <translation>Standard street</translation>
        </message>
        <message>
            <source>优美街巷</source>
            <translation>Fine street</translation>
        </message>
        <message>
            <source>精品街巷</source>
            <translation>Premium street</translation>
        </message>
        <message>
            <source>责任单位自查</source>
            <translation>Unit self-check</translation>
        </message>
        <message>
            <source>街乡自查</source>
            <translation>Street self-check</translation>
        </message>
        <message>
            <source>巡查日志</source>
            <translation>Patrol log</translation>
        </message>
        <message>
            <source>合格</source>
            <translation>Pass</translation>
        </message>
        <message>
            <source>不合格</source>
            <translation>Fail</translation>
        </message>
        <message>
            <source>不适用</source>
            <translation>N/A</translation>
        </message>
        <message>
            <source>未填</source>
            <translation>Not answered</translation>
        </message>
        <message>
            <source>现行规定原文</source>
            <translation>Current rule text</translation>
        </message>
        <message>
            <source>已废止规定</source>
            <translation>Repealed rule</translation>
        </message>
        <message>
            <source>通知通报</source>
            <translation>Official notice</translation>
        </message>
        <message>
            <source>新闻报道</source>
            <translation>News report</translation>
        </message>
        <message>
            <source>区级方案</source>
            <translation>District plan</translation>
        </message>
        <message>
            <source>文件摘录</source>
            <translation>Document excerpt</translation>
        </message>
        <message>
            <source>参考条目</source>
            <translation>Reference item</translation>
        </message>
        <message>
            <source>旧版标注官方</source>
            <translation>Marked official (old version)</translation>
        </message>
        <message>
            <source>出自已废止或被替代的规定，非现行原文；以现行规定为准。</source>
            <translation>From a repealed or superseded rule, not the rule in force; the current rule prevails.</translation>
        </message>
        <message>
            <source>出自通知通报，不是规章或标准原文。</source>
            <translation>From an official notice, not the text of a rule or standard.</translation>
        </message>
        <message>
            <source>出自新闻报道或摘要，不是规定原文；以规定全文为准。</source>
            <translation>From a news report or summary, not the rule's own text; the full rule prevails.</translation>
        </message>
        <message>
            <source>出自区级工作方案，非全市统一规定。</source>
            <translation>From a district's work plan, not a citywide rule.</translation>
        </message>
        <message>
            <source>出自所列规划、意见等文件的表述，不是检查标准原文。</source>
            <translation>Wording from the listed plans, opinions or articles, not from an inspection standard.</translation>
        </message>
        <message>
            <source>参考条目：非官方原文，由检查经验整理，仅供参考。</source>
            <translation>Reference item: not official wording; compiled from inspection practice, for guidance only.</translation>
        </message>
        <message>
            <source>旧版检查表标注为官方，未区分现行与已废止，未经复核。</source>
            <translation>An older checklist version marked this official without recording whether the rule is in force; not re-checked.</translation>
        </message>
        <message>
            <source>门前三包责任单位</source>
            <translation>Street-front unit</translation>
        </message>
        <message>
            <source>背街小巷</source>
            <translation>Back street</translation>
        </message>
        <message>
            <source>检查场所</source>
            <translation>Site</translation>
        </message>
        <message>
            <source>一般隐患</source>
            <translation>General hazard</translation>
        </message>
        <message>
            <source>重大隐患</source>
            <translation>Major hazard</translation>
        </message>
        <message>
            <source>待受理</source>
            <translation>Reported</translation>
        </message>
        <message>
            <source>不予立案</source>
            <translation>Rejected</translation>
        </message>
        <message>
            <source>已挂账</source>
            <translation>Registered</translation>
        </message>
        <message>
            <source>整改中</source>
            <translation>Being fixed</translation>
        </message>
        <message>
            <source>待核查</source>
            <translation>Awaiting verification</translation>
        </message>
        <message>
            <source>已销账</source>
            <translation>Closed</translation>
        </message>
        <message>
            <source>上报</source>
            <translation>Report</translation>
        </message>
        <message>
            <source>现场整改</source>
            <translation>Fixed on site</translation>
        </message>
        <message>
            <source>受理挂账</source>
            <translation>Accept onto ledger</translation>
        </message>
        <message>
            <source>派遣整改</source>
            <translation>Assign</translation>
        </message>
        <message>
            <source>延期</source>
            <translation>Extend</translation>
        </message>
        <message>
            <source>整改反馈</source>
            <translation>Report fixed</translation>
        </message>
        <message>
            <source>核查通过(销账)</source>
            <translation>Verified (close)</translation>
        </message>
        <message>
            <source>核查不通过</source>
            <translation>Verification failed</translation>
        </message>
        <message>
            <source>重新打开</source>
            <translation>Reopen</translation>
        </message>
        <message>
            <source>督办</source>
            <translation>Escalate</translation>
        </message>
        <message>
            <source>仅本机</source>
            <translation>Local only</translation>
        </message>
        <message>
            <source>待同步</source>
            <translation>Waiting to sync</translation>
        </message>
        <message>
            <source>已同步</source>
            <translation>Synced</translation>
        </message>
        <message>
            <source>冲突</source>
            <translation>Conflict</translation>
        </message>
        <message>
            <source>新建检查对象</source>
            <translation>New subject</translation>
        </message>
        <message>
            <source>修改检查对象</source>
            <translation>Subject changed</translation>
        </message>
        <message>
            <source>检查记录</source>
            <translation>Inspection records</translation>
        </message>
        <message>
            <source>问题上报与处理</source>
            <translation>Finding reports and actions</translation>
        </message>
        <message>
            <source>待编号</source>
            <translation>No number yet</translation>
        </message>
        <message>
            <source>已立案</source>
            <translation>Filed</translation>
        </message>
        <message>
            <source>处置中</source>
            <translation>Being handled</translation>
        </message>
        <message>
            <source>已结案</source>
            <translation>Concluded</translation>
        </message>
        <message>
            <source>不予挂账</source>
            <translation>Not registered</translation>
        </message>
        <message>
            <source>待复查验收</source>
            <translation>Awaiting acceptance check</translation>
        </message>
        <message>
            <source>现场处置</source>
            <translation>Handled on site</translation>
        </message>
        <message>
            <source>立案</source>
            <translation>File</translation>
        </message>
        <message>
            <source>派遣</source>
            <translation>Dispatch</translation>
        </message>
        <message>
            <source>处置反馈</source>
            <translation>Report handled</translation>
        </message>
        <message>
            <source>核查通过(结案)</source>
            <translation>Verified (conclude)</translation>
        </message>
        <message>
            <source>复查验收通过(销账)</source>
            <translation>Accepted on recheck (close)</translation>
        </message>
        <message>
            <source>复查验收不通过</source>
            <translation>Failed recheck</translation>
        </message>
        <message>
            <source>摘牌</source>
            <translation>Lift supervision</translation>
        </message>
        <message>
            <source>申请延期</source>
            <translation>Request extension</translation>
        </message>
        <message>
            <source>批准延期</source>
            <translation>Approve extension</translation>
        </message>
        <message>
            <source>不予延期</source>
            <translation>Refuse extension</translation>
        </message>
        <message>
            <source>城市管理问题</source>
            <translation>City management problem</translation>
        </message>
        <message>
            <source>安全隐患</source>
            <translation>Safety hazard</translation>
        </message>
        <message>
            <source>巡查</source>
            <translation>Patrol</translation>
        </message>
        <message>
            <source>自查</source>
            <translation>Self-inspection</translation>
        </message>
        <message>
            <source>12345工单</source>
            <translation>12345 work order</translation>
        </message>
        <message>
            <source>群众举报</source>
            <translation>Public report</translation>
        </message>
        <message>
            <source>上级交办</source>
            <translation>Assigned from above</translation>
        </message>
        <message>
            <source>区级检查</source>
            <translation>District inspection</translation>
        </message>
        <message>
            <source>市级检查</source>
            <translation>City inspection</translation>
        </message>
        <message>
            <source>第三方检查</source>
            <translation>Third-party inspection</translation>
        </message>
        <message>
            <source>街乡督办</source>
            <translation>Street-level supervision</translation>
        </message>
        <message>
            <source>区级督办</source>
            <translation>District-level supervision</translation>
        </message>
        <message>
            <source>市级督办</source>
            <translation>City-level supervision</translation>
        </message>
        <message>
        <source>约谈记录</source>
        <translation>Talk record</translation>
    </message>
</context>
    <context>
        <name>LedgerActions</name>
        <message>
            <source>冲突</source>
            <translation>Conflict</translation>
        </message>
        <message>
            <source>等待服务器确认</source>
            <translation>Waiting for server</translation>
        </message>
        <message>
            <source>已同步</source>
            <translation>Synced</translation>
        </message>
        <message>
            <source>已生效</source>
            <translation>Applied</translation>
        </message>
        <message>
            <source>被拒绝</source>
            <translation>Rejected</translation>
        </message>
    </context>
    <context>
        <name>LedgerFilterBar</name>
        <message>
            <source>全部街乡</source>
            <translation>All streets</translation>
        </message>
        <message>
            <source>全部类别</source>
            <translation>All categories</translation>
        </message>
        <message>
            <source>全部检查对象</source>
            <translation>All subjects</translation>
        </message>
        <message>
            <source>搜索描述、类别、编号、责任单位或检查对象</source>
            <translation>Search description, category, number, unit or subject</translation>
        </message>
        <message>
            <source>未结（待受理至待核查）</source>
            <translation>Open (reported to awaiting verification)</translation>
        </message>
        <message>
            <source>全部状态</source>
            <translation>All states</translation>
        </message>
        <message>
            <source>全部等级</source>
            <translation>All grades</translation>
        </message>
        <message>
            <source>不限日期</source>
            <translation>Any date</translation>
        </message>
        <message>
            <source>上报日期</source>
            <translation>Reported</translation>
        </message>
        <message>
            <source>整改期限</source>
            <translation>Deadline</translation>
        </message>
        <message>
            <source>销账日期</source>
            <translation>Closed</translation>
        </message>
        <message>
            <source>只看逾期</source>
            <translation>Overdue only</translation>
        </message>
        <message>
            <source>只看待同步</source>
            <translation>Waiting to sync only</translation>
        </message>
        <message>
            <source>清除筛选</source>
            <translation>Clear filters</translation>
        </message>
        <message>
            <source>问题和隐患</source>
            <translation>Problems and hazards</translation>
        </message>
        <message>
            <source>全部发现方式</source>
            <translation>Any way found</translation>
        </message>
        <message>
            <source>督办案件</source>
            <translation>Supervised cases</translation>
        </message>
        <message>
            <source>督办不限</source>
            <translation>Supervised or not</translation>
        </message>
    </context>
    <context>
        <name>LedgerTableModel</name>
        <message>
            <source>逾期</source>
            <translation>Overdue</translation>
        </message>
        <message>
            <source>台账编号</source>
            <translation>Ledger no.</translation>
        </message>
        <message>
            <source>状态</source>
            <translation>State</translation>
        </message>
        <message>
            <source>等级</source>
            <translation>Grade</translation>
        </message>
        <message>
            <source>类别</source>
            <translation>Category</translation>
        </message>
        <message>
            <source>描述</source>
            <translation>Description</translation>
        </message>
        <message>
            <source>对象/地点</source>
            <translation>Subject / place</translation>
        </message>
        <message>
            <source>街乡</source>
            <translation>Street</translation>
        </message>
        <message>
            <source>上报时间</source>
            <translation>Reported</translation>
        </message>
        <message>
            <source>整改期限</source>
            <translation>Deadline</translation>
        </message>
        <message>
            <source>逾期阶段</source>
            <translation>Late stage</translation>
        </message>
        <message>
            <source>责任单位</source>
            <translation>Responsible unit</translation>
        </message>
        <message>
            <source>同步</source>
            <translation>Sync</translation>
        </message>
        <message>
            <source>类型</source>
            <translation>Type</translation>
        </message>
        <message>
            <source>发现方式</source>
            <translation>Found by</translation>
        </message>
        <message>
            <source>督办</source>
            <translation>Supervision</translation>
        </message>
    </context>
    <context>
        <name>LoginPanel</name>
        <message>
            <source>请填写服务器地址、用户名和密码。</source>
            <translation>Please enter the server address, username and password.</translation>
        </message>
        <message>
            <source>找不到 CA 证书文件：%1</source>
            <translation>CA bundle file not found: %1</translation>
        </message>
        <message>
            <source>正在登录…</source>
            <translation>Logging in…</translation>
        </message>
        <message>
            <source>已登录。</source>
            <translation>Logged in.</translation>
        </message>
        <message>
            <source>已退出登录。待同步的数据仍保留在本机。</source>
            <translation>Logged out. Changes waiting to sync stay on this computer.</translation>
        </message>
        <message>
            <source>已在本机退出登录（服务器未确认）。待同步的数据仍保留在本机。</source>
            <translation>Logged out on this computer (the server could not confirm it). Changes waiting to sync stay on this computer.</translation>
        </message>
        <message>
            <source>选择 CA 证书文件</source>
            <translation>Choose a CA bundle</translation>
        </message>
        <message>
            <source>证书文件 (*.pem *.crt *.cer);;所有文件 (*)</source>
            <translation>Certificates (*.pem *.crt *.cer);;All files (*)</translation>
        </message>
        <message>
            <source>未登录。登录后，本机的检查和问题会自动上传到区里的服务器。</source>
            <translation>Not logged in. Once logged in, this laptop&apos;s inspections and findings go up to the district server.</translation>
        </message>
        <message>
            <source>%1 的登录已失效或未保存，请输入密码重新登录。</source>
            <translation>The login of %1 has ended or was not kept: enter the password to log in again.</translation>
        </message>
        <message>
            <source>已登录：%1</source>
            <translation>Logged in: %1</translation>
        </message>
        <message>
            <source>角色：%1</source>
            <translation>Roles: %1</translation>
        </message>
        <message>
            <source>辖区：%1</source>
            <translation>Jurisdictions: %1</translation>
        </message>
        <message>
            <source>服务器地址</source>
            <translation>Server address</translation>
        </message>
        <message>
            <source>用户名</source>
            <translation>Username</translation>
        </message>
        <message>
            <source>密码</source>
            <translation>Password</translation>
        </message>
        <message>
            <source>CA 证书</source>
            <translation>CA bundle</translation>
        </message>
        <message>
            <source>自动同步</source>
            <translation>Automatic sync</translation>
        </message>
        <message>
            <source>可选：单位自建证书颁发机构的证书文件（PEM）</source>
            <translation>Optional: your organisation&apos;s own certificate authority (PEM file)</translation>
        </message>
        <message>
            <source>选择…</source>
            <translation>Choose…</translation>
        </message>
        <message>
            <source>登录</source>
            <translation>Log in</translation>
        </message>
        <message>
            <source>退出登录</source>
            <translation>Log out</translation>
        </message>
        <message>
            <source>本机没有安全的密钥存储：登录只保存在本次运行的内存中，下次启动需要重新登录。</source>
            <translation>This computer has no secure keyring: the login is kept in memory for this run only, so you will have to log in again at the next start.</translation>
        </message>
        <message numerus="yes">
            <source>每 %n 分钟</source>
            <translation>
                <numerusform>Every minute</numerusform>
                <numerusform>Every %n minutes</numerusform>
            </translation>
        </message>
        <message>
            <source>仅手动同步</source>
            <translation>Only when I click Sync</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>巡查 · 城市管理现场检查</source>
            <translation>Inspector · city management field inspection</translation>
        </message>
        <message>
            <source>正在打开数据…</source>
            <translation>Opening the data…</translation>
        </message>
        <message>
            <source>工作台</source>
            <translation>Today</translation>
        </message>
        <message>
            <source>检查</source>
            <translation>Inspections</translation>
        </message>
        <message>
            <source>检查对象</source>
            <translation>Subjects</translation>
        </message>
        <message>
            <source>审核</source>
            <translation>Review</translation>
        </message>
        <message>
            <source>隐患台账</source>
            <translation>Ledger</translation>
        </message>
        <message>
            <source>统计</source>
            <translation>Statistics</translation>
        </message>
        <message>
            <source>专项行动</source>
            <translation>Campaigns</translation>
        </message>
        <message>
            <source>设置</source>
            <translation>Settings</translation>
        </message>
    </context>
    <context>
        <name>NewInspectionDialog</name>
        <message>
            <source>3. 同时检查的领域清单（“1+10”，可多选）</source>
            <translation>3. Area lists checked in the same visit ("1+10", several allowed)</translation>
        </message>
        <message>
            <source>专项或计划编号（可选）</source>
            <translation>Campaign or programme code (optional)</translation>
        </message>
        <message>
            <source>发现方式：%1</source>
            <translation>Found by: %1</translation>
        </message>
        <message>
            <source>检查层级</source>
            <translation>Level</translation>
        </message>
        <message>
            <source>新建检查</source>
            <translation>New inspection</translation>
        </message>
        <message>
            <source>搜索检查对象：名称、地址或编码</source>
            <translation>Search subjects: name, address or code</translation>
        </message>
        <message>
            <source>新建检查对象…</source>
            <translation>New subject…</translation>
        </message>
        <message>
            <source>开始检查</source>
            <translation>Start inspection</translation>
        </message>
        <message>
            <source>1. 检查对象</source>
            <translation>1. Subject</translation>
        </message>
        <message>
            <source>2. 检查表</source>
            <translation>2. Checklist</translation>
        </message>
        <message>
            <source>正在加载检查表…</source>
            <translation>Loading checklists…</translation>
        </message>
        <message>
            <source>先选择检查对象。</source>
            <translation>Choose a subject first.</translation>
        </message>
        <message>
            <source>适用于“%1”的检查表：</source>
            <translation>Checklists for “%1”:</translation>
        </message>
        <message>
            <source>没有适用于这类对象的检查表。</source>
            <translation>No checklist applies to this kind of subject.</translation>
        </message>
        <message>
            <source>请选择检查对象和检查表。</source>
            <translation>Choose a subject and a checklist.</translation>
        </message>
    </context>
    <context>
        <name>Panel</name>
        <message>
            <source>PNG 图片 (*.png)</source>
            <translation>PNG image (*.png)</translation>
        </message>
        <message>
            <source>导出 PNG</source>
            <translation>Export PNG</translation>
        </message>
        <message>
            <source>CSV 表格 (*.csv)</source>
            <translation>CSV table (*.csv)</translation>
        </message>
        <message>
            <source>导出 CSV</source>
            <translation>Export CSV</translation>
        </message>
    </context>
    <context>
        <name>PhotoStrip</name>
        <message>
            <source>已损坏</source>
            <translation>Damaged</translation>
        </message>
        <message>
            <source>已损坏：照片数据不完整，原始文件已保留</source>
            <translation>Damaged: the photo's data is incomplete; the original file is kept</translation>
        </message>
        <message>
            <source>文件时间（不是拍摄时间）：</source>
            <translation>File time (not when taken): </translation>
        </message>
        <message>
            <source>（半球未知）</source>
            <translation>(hemisphere unknown)</translation>
        </message>
        <message>
            <source>选择照片</source>
            <translation>Choose photos</translation>
        </message>
        <message>
            <source>图片</source>
            <translation>Images</translation>
        </message>
        <message>
            <source>剪贴板里没有图片。</source>
            <translation>The clipboard holds no image.</translation>
        </message>
        <message>
            <source>请等待正在导入的照片完成。</source>
            <translation>Wait until the photos being imported are done.</translation>
        </message>
        <message>
            <source>添加照片…</source>
            <translation>Add photos…</translation>
        </message>
        <message>
            <source>选择一张或多张照片，也可以把照片拖到这里</source>
            <translation>Choose one or more photos, or drop them here</translation>
        </message>
        <message>
            <source>粘贴</source>
            <translation>Paste</translation>
        </message>
        <message>
            <source>移除</source>
            <translation>Remove</translation>
        </message>
        <message>
            <source>移除选中的照片（Delete）</source>
            <translation>Remove the selected photos (Delete)</translation>
        </message>
        <message>
            <source>取消</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>双击查看大图；可拖入或粘贴照片</source>
            <translation>Double-click to view; drop or paste photos here</translation>
        </message>
        <message>
            <source>拍摄时间：</source>
            <translation>Taken: </translation>
        </message>
        <message>
            <source>未知</source>
            <translation>unknown</translation>
        </message>
        <message>
            <source>位置：</source>
            <translation>Location: </translation>
        </message>
        <message>
            <source>照片中没有 GPS 信息</source>
            <translation>no GPS in the photo</translation>
        </message>
    </context>
    <context>
        <name>PhotoViewer</name>
        <message>
            <source>上一张</source>
            <translation>Previous</translation>
        </message>
        <message>
            <source>下一张</source>
            <translation>Next</translation>
        </message>
        <message>
            <source>放大</source>
            <translation>Zoom in</translation>
        </message>
        <message>
            <source>缩小</source>
            <translation>Zoom out</translation>
        </message>
        <message>
            <source>适合窗口</source>
            <translation>Fit</translation>
        </message>
        <message>
            <source>原始大小</source>
            <translation>Actual size</translation>
        </message>
        <message>
            <source>照片 %1/%2</source>
            <translation>Photo %1/%2</translation>
        </message>
    </context>
    <context>
        <name>ProblemsDialog</name>
        <message>
            <source>还不能完成检查</source>
            <translation>Cannot finish yet</translation>
        </message>
        <message>
            <source>未填写</source>
            <translation>not answered</translation>
        </message>
        <message>
            <source>不合格，需要照片</source>
            <translation>failed, needs a photo</translation>
        </message>
        <message>
            <source>问题描述或类别未填</source>
            <translation>finding description or category missing</translation>
        </message>
        <message>
            <source>问题描述仍是检查标准的原文，请写明发现的问题</source>
            <translation>the description is still the standard's wording: describe the problem found</translation>
        </message>
        <message numerus="yes">
            <source>以下 %n 项需要处理（双击转到该项）：</source>
            <translation>
                <numerusform>%n item needs attention (double-click to go there):</numerusform>
                <numerusform>%n items need attention (double-click to go there):</numerusform>
            </translation>
        </message>
        <message>
            <source>转到该项</source>
            <translation>Go to item</translation>
        </message>
    </context>
    <context>
        <name>ReviewView</name>
        <message numerus="yes">
            <source>待受理 %n 条</source>
            <translation>
                <numerusform>%n waiting for review</numerusform>
                <numerusform>%n waiting for review</numerusform>
            </translation>
        </message>
        <message>
            <source>已受理挂账，等待服务器确认。</source>
            <translation>Accepted onto the ledger; waiting for the server.</translation>
        </message>
        <message>
            <source>已保存，等待服务器确认。</source>
            <translation>Saved; waiting for the server.</translation>
        </message>
        <message>
            <source>审核</source>
            <translation>Review</translation>
        </message>
        <message>
            <source>受理和不予立案需要督查员角色：请在设置中以督查员账号登录。</source>
            <translation>Accepting and rejecting need the supervisor role: sign in with a supervisor account in Settings.</translation>
        </message>
        <message>
            <source>受理为一般隐患</source>
            <translation>Accept as general hazard</translation>
        </message>
        <message>
            <source>受理为重大隐患</source>
            <translation>Accept as major hazard</translation>
        </message>
        <message>
            <source>不予立案…</source>
            <translation>Reject…</translation>
        </message>
        <message>
            <source>待受理</source>
            <translation>Waiting for review</translation>
        </message>
        <message>
            <source>延期申请</source>
            <translation>Extension requests</translation>
        </message>
        <message>
            <source>督办</source>
            <translation>Under supervision</translation>
        </message>
        <message numerus="yes">
            <source>延期申请 %n 条</source>
            <translation>
                <numerusform>%n extension request</numerusform>
                <numerusform>%n extension requests</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>督办 %n 条</source>
            <translation>
                <numerusform>%n case under supervision</numerusform>
                <numerusform>%n cases under supervision</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>RunnerView</name>
        <message>
            <source>得分 %1 / %2</source>
            <translation>Score %1 / %2</translation>
        </message>
        <message numerus="yes">
            <source>%n 张检查表</source>
            <translation>
                <numerusform>%n list</numerusform>
                <numerusform>%n lists</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>不合格项 %n 个</source>
            <translation>
                <numerusform>%n failed item</numerusform>
                <numerusform>%n failed items</numerusform>
            </translation>
        </message>
        <message>
            <source>（暂定）</source>
            <translation> (provisional)</translation>
        </message>
        <message>
            <source>已填 %1 / %2 项</source>
            <translation>%1 / %2 answered</translation>
        </message>
        <message>
            <source>完成后检查记录不能再修改。</source>
            <translation>Once finished, the inspection can no longer be changed.</translation>
        </message>
        <message>
            <source>结果：</source>
            <translation>Result: </translation>
        </message>
        <message numerus="yes">
            <source>将上报问题 %n 个。</source>
            <translation>
                <numerusform>%n finding will be reported.</numerusform>
                <numerusform>%n findings will be reported.</numerusform>
            </translation>
        </message>
        <message>
            <source>完成检查</source>
            <translation>Finish</translation>
        </message>
        <message>
            <source>检查已完成，记录已锁定，等待同步。</source>
            <translation>Inspection finished: the record is locked and waits to sync.</translation>
        </message>
        <message numerus="yes">
            <source>已上报问题 %n 个。</source>
            <translation>
                <numerusform>%n finding reported.</numerusform>
                <numerusform>%n findings reported.</numerusform>
            </translation>
        </message>
        <message>
            <source>← 返回</source>
            <translation>← Back</translation>
        </message>
        <message>
            <source>返回检查列表（已自动保存）</source>
            <translation>Back to the inspection list (everything is saved)</translation>
        </message>
        <message>
            <source>1 合格 · 2 不合格 · 3 不适用 · 0 清除 · Alt+↓/↑ 下一项/上一项 · Ctrl+J 下一个未填项 · N 备注 · Ctrl+O 添加照片 · Ctrl+V 粘贴照片</source>
            <translation>1 pass · 2 fail · 3 not applicable · 0 clear · Alt+↓/↑ next/previous item · Ctrl+J next unanswered · N note · Ctrl+O add photos · Ctrl+V paste photo</translation>
        </message>
    </context>
    <context>
        <name>SettingsView</name>
        <message>
            <source>照片数据不完整时仍保存，标记为“已损坏”并保留原始文件（否则拒收）</source>
            <translation>Keep photos whose data is incomplete, marked damaged, with the original file (otherwise refused)</translation>
        </message>
        <message>
            <source>辖区编码无效：%1</source>
            <translation>Invalid jurisdiction code: %1</translation>
        </message>
        <message>
            <source>已保存。</source>
            <translation>Saved.</translation>
        </message>
        <message>
            <source>保存备份</source>
            <translation>Save backup</translation>
        </message>
        <message>
            <source>备份文件 (*.zip)</source>
            <translation>Backups (*.zip)</translation>
        </message>
        <message>
            <source>正在备份…</source>
            <translation>Backing up…</translation>
        </message>
        <message>
            <source>备份完成：%1（%2 MB）</source>
            <translation>Backup written: %1 (%2 MB)</translation>
        </message>
        <message>
            <source>数据文件夹中缺少 %1 张照片的文件，备份中没有它们（详见日志）。</source>
            <translation> The files of %1 photo(s) were missing from the data folder and are not in the backup (see the log).</translation>
        </message>
        <message>
            <source>选择备份文件</source>
            <translation>Choose a backup file</translation>
        </message>
        <message>
            <source>从备份恢复</source>
            <translation>Restore from backup</translation>
        </message>
        <message>
            <source>恢复会用备份替换本机当前的数据（当前数据会移到数据文件夹中的 replaced-… 文件夹保留）。继续吗？</source>
            <translation>Restoring replaces the data on this computer with the backup (the current data is moved into a replaced-… folder inside the data folder). Continue?</translation>
        </message>
        <message>
            <source>设置</source>
            <translation>Settings</translation>
        </message>
        <message>
            <source>界面</source>
            <translation>Interface</translation>
        </message>
        <message>
            <source>照片</source>
            <translation>Photos</translation>
        </message>
        <message>
            <source>工作</source>
            <translation>Work</translation>
        </message>
        <message>
            <source>数据文件夹</source>
            <translation>Data folder</translation>
        </message>
        <message>
            <source>备份与恢复</source>
            <translation>Backup and restore</translation>
        </message>
        <message>
            <source>同步</source>
            <translation>Sync</translation>
        </message>
        <message>
            <source>界面语言</source>
            <translation>Language</translation>
        </message>
        <message>
            <source>照片最长边</source>
            <translation>Longest photo edge</translation>
        </message>
        <message>
            <source>原始照片</source>
            <translation>Originals</translation>
        </message>
        <message>
            <source>默认辖区编码</source>
            <translation>Default jurisdiction</translation>
        </message>
        <message>
            <source>数据</source>
            <translation>Data</translation>
        </message>
        <message>
            <source>日志</source>
            <translation>Logs</translation>
        </message>
        <message>
            <source>同时保留原始照片文件（占用更多磁盘空间）</source>
            <translation>Also keep the original photo files (uses more disk space)</translation>
        </message>
        <message>
            <source>照片按最长边缩小后保存和上传；2560 px 足够看清现场细节。</source>
            <translation>Photos are stored and uploaded with their longest edge capped; 2560 px shows site details well.</translation>
        </message>
        <message>
            <source>15 位网格编码，如 110101001000000</source>
            <translation>15-digit grid code, e.g. 110101001000000</translation>
        </message>
        <message>
            <source>保存</source>
            <translation>Save</translation>
        </message>
        <message>
            <source>打开文件夹</source>
            <translation>Open folder</translation>
        </message>
        <message>
            <source>数据库、照片和日志都在这个文件夹里。启动时可用 --data-dir 指定其他位置（如 U 盘）。</source>
            <translation>The database, photos and logs live in this folder. Start with --data-dir to use another place (e.g. a USB stick).</translation>
        </message>
        <message>
            <source>备份…</source>
            <translation>Back up…</translation>
        </message>
        <message>
            <source>从备份恢复…</source>
            <translation>Restore…</translation>
        </message>
    </context>
    <context>
        <name>StatisticsView</name>
        <message>
            <source>%1 个门前三包责任单位：红榜 %2，黑榜 %3（积分 ≥%4 且当月被检查为红榜，&lt;%5 为黑榜；规则 %6）</source>
            <translation>%1 street-front units: red list %2, black list %3 (points ≥ %4 and inspected in the month: red list; below %5: black list; rule %6)</translation>
        </message>
        <message>
            <source>%1 月排名：得分 = 100 ×（%2 按期销账 + %3 逾期 + %4 检查覆盖）；规则 %5</source>
            <translation>Ranking for %1: score = 100 × (%2 closed on time + %3 overdue + %4 inspection coverage); rule %5</translation>
        </message>
        <message>
            <source>%1 条背街小巷，其中不达标 %2 条（第三方检查90分以下降档，市级检查连续三个月90分及以上复档；规则 %3）</source>
            <translation>%1 back streets, %2 of them non-compliant (a third-party check below 90 downgrades; three consecutive months of city checks at 90 or above restore; rule %3)</translation>
        </message>
        <message>
            <source>未定级</source>
            <translation>No tier</translation>
        </message>
        <message>
            <source>街巷等级</source>
            <translation>Tier</translation>
        </message>
        <message>
            <source>正在准备图表…</source>
            <translation>Preparing the chart…</translation>
        </message>
        <message>
            <source>正在计算…</source>
            <translation>Computing…</translation>
        </message>
        <message numerus="yes">
            <source>共 %n 个问题</source>
            <translation>
                <numerusform>%n finding in all</numerusform>
                <numerusform>%n findings in all</numerusform>
            </translation>
        </message>
        <message>
            <source>所选月份共上报 %1 个（不含不予立案）</source>
            <translation>%1 reported in these months (rejected ones left out)</translation>
        </message>
        <message>
            <source>挂账 %1，已销账 %2；销账率 %3，按期销账率 %4，平均销账用时 %5 天</source>
            <translation>On the ledger %1, closed %2; closure rate %3, on time %4, mean time to close %5 days</translation>
        </message>
        <message>
            <source>当前逾期 %1 个</source>
            <translation>Overdue now: %1</translation>
        </message>
        <message>
            <source>所选月份共 %1 个 12345 工单</source>
            <translation>%1 12345 work orders in the months shown</translation>
        </message>
        <message>
            <source>受理/立案</source>
            <translation>Acceptance/registration</translation>
        </message>
        <message>
            <source>派遣</source>
            <translation>Dispatch</translation>
        </message>
        <message>
            <source>处置</source>
            <translation>Disposal</translation>
        </message>
        <message>
            <source>核查</source>
            <translation>Verification</translation>
        </message>
        <message>
            <source>；各阶段超时限：%1</source>
            <translation>; past the limit by stage: %1</translation>
        </message>
        <message>
            <source>背街小巷</source>
            <translation>Back street</translation>
        </message>
        <message>
            <source>当前</source>
            <translation>Now</translation>
        </message>
        <message>
            <source>M月</source>
            <translation>MMM</translation>
        </message>
        <message>
            <source>其他</source>
            <translation>Other</translation>
        </message>
        <message>
            <source>销账率</source>
            <translation>Closure rate</translation>
        </message>
        <message>
            <source>按期销账率</source>
            <translation>On-time closure rate</translation>
        </message>
        <message>
            <source>月末逾期</source>
            <translation>Overdue at month end</translation>
        </message>
        <message>
            <source>所选月份没有数据</source>
            <translation>No data in the chosen months</translation>
        </message>
        <message>
            <source>统计</source>
            <translation>Statistics</translation>
        </message>
        <message numerus="yes">
            <source>近 %n 个月</source>
            <translation>
                <numerusform>Last %n month</numerusform>
                <numerusform>Last %n months</numerusform>
            </translation>
        </message>
        <message>
            <source>排名月份</source>
            <translation>Ranking month</translation>
        </message>
        <message>
            <source>刷新</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>每月问题数（按类别）</source>
            <translation>Findings per month (by category)</translation>
        </message>
        <message>
            <source>销账率与按期销账率</source>
            <translation>Closure and on-time closure rate</translation>
        </message>
        <message>
            <source>街乡月排名</source>
            <translation>Monthly ranking of streets</translation>
        </message>
        <message>
            <source>背街小巷十无达标</source>
            <translation>Back streets: 十无 standard</translation>
        </message>
        <message>
            <source>门前三包红黑榜</source>
            <translation>Street-front units: red and black lists</translation>
        </message>
        <message>
            <source>12345 工单：响应率、解决率、满意率</source>
            <translation>12345 orders: response, solution and satisfaction rates</translation>
        </message>
        <message>
            <source>导出 PNG…</source>
            <translation>Export PNG…</translation>
        </message>
        <message>
            <source>名次</source>
            <translation>Rank</translation>
        </message>
        <message>
            <source>街乡</source>
            <translation>Street</translation>
        </message>
        <message>
            <source>得分</source>
            <translation>Score</translation>
        </message>
        <message>
            <source>按期销账</source>
            <translation>On time</translation>
        </message>
        <message>
            <source>逾期分</source>
            <translation>Overdue part</translation>
        </message>
        <message>
            <source>检查覆盖</source>
            <translation>Coverage</translation>
        </message>
        <message>
            <source>工单数</source>
            <translation>Orders</translation>
        </message>
        <message>
            <source>响应率</source>
            <translation>Response rate</translation>
        </message>
        <message>
            <source>解决率</source>
            <translation>Solution rate</translation>
        </message>
        <message>
            <source>满意率</source>
            <translation>Satisfaction rate</translation>
        </message>
        <message>
            <source>单位</source>
            <translation>Unit</translation>
        </message>
        <message>
            <source>积分</source>
            <translation>Points</translation>
        </message>
        <message>
            <source>检查次数</source>
            <translation>Inspections</translation>
        </message>
        <message>
            <source>红榜</source>
            <translation>Red list</translation>
        </message>
        <message>
            <source>黑榜</source>
            <translation>Black list</translation>
        </message>
        <message>
            <source>月份</source>
            <translation>Month</translation>
        </message>
        <message>
            <source>合计</source>
            <translation>Total</translation>
        </message>
        <message>
            <source>%1：%2</source>
            <translation>%1: %2</translation>
        </message>
        <message>
            <source>，</source>
            <translation>, </translation>
        </message>
        <message>
            <source>点击图表或用 ←/→ 键逐月查看数值</source>
            <translation>Click the chart or use ←/→ to read each month&apos;s values</translation>
        </message>
        <message>
            <source>逾期趋势（月末逾期数，本月为当前数）</source>
            <translation>Overdue trend (overdue at month end; this month: now)</translation>
        </message>
        <message>
            <source>导出 CSV…</source>
            <translation>Export CSV…</translation>
        </message>
        <message>
            <source>把图表的逐月数值导出为 CSV 表格（Excel 可直接打开）</source>
            <translation>Save the chart&apos;s month-by-month figures as a CSV table (opens in Excel)</translation>
        </message>
    </context>
    <context>
        <name>StatusBar</name>
        <message>
            <source>网络状态未知（离线可用）</source>
            <translation>Network unknown (works offline)</translation>
        </message>
        <message>
            <source>在线</source>
            <translation>Online</translation>
        </message>
        <message>
            <source>离线</source>
            <translation>Offline</translation>
        </message>
        <message numerus="yes">
            <source>待同步 %n 项</source>
            <translation>
                <numerusform>%n item to sync</numerusform>
                <numerusform>%n items to sync</numerusform>
            </translation>
        </message>
        <message>
            <source>待上传的变更 %1 项，照片 %2 张</source>
            <translation>%1 change(s) and %2 photo(s) to upload</translation>
        </message>
        <message>
            <source>同步功能尚未配置：数据保存在本机，在设置中登录服务器后再上传。</source>
            <translation>Sync is not configured: data stays on this computer and is uploaded once you log in to a server in Settings.</translation>
        </message>
        <message>
            <source>需要登录</source>
            <translation>Login needed</translation>
        </message>
        <message>
            <source>上次同步 %1</source>
            <translation>Last sync %1</translation>
        </message>
        <message>
            <source>尚未同步</source>
            <translation>Not synced yet</translation>
        </message>
        <message>
            <source>服务器：%1</source>
            <translation>Server: %1</translation>
        </message>
        <message>
            <source>上次同步未完成：%1</source>
            <translation>The last sync did not finish: %1</translation>
        </message>
        <message>
            <source>未配置同步</source>
            <translation>Sync not configured</translation>
        </message>
        <message numerus="yes">
            <source>后台任务 %n 个</source>
            <translation>
                <numerusform>%n background job</numerusform>
                <numerusform>%n background jobs</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>SubjectDialog</name>
        <message>
            <source>尚无记录</source>
            <translation>Nothing recorded yet</translation>
        </message>
        <message>
            <source>等级与达标记录</source>
            <translation>Tier and status history</translation>
        </message>
        <message>
            <source>街巷等级</source>
            <translation>Tier</translation>
        </message>
        <message>
            <source>未定级</source>
            <translation>No tier</translation>
        </message>
        <message>
            <source>类型</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>名称 *</source>
            <translation>Name *</translation>
        </message>
        <message>
            <source>编码（一户一码）</source>
            <translation>Code (one code per unit)</translation>
        </message>
        <message>
            <source>地址</source>
            <translation>Address</translation>
        </message>
        <message>
            <source>所属辖区 *</source>
            <translation>Jurisdiction *</translation>
        </message>
        <message>
            <source>责任人</source>
            <translation>Responsible person</translation>
        </message>
        <message>
            <source>电话</source>
            <translation>Phone</translation>
        </message>
        <message>
            <source>街巷长</source>
            <translation>Street chief</translation>
        </message>
        <message>
            <source>起止范围</source>
            <translation>Extent</translation>
        </message>
        <message>
            <source>责任区</source>
            <translation>Responsibility zone</translation>
        </message>
        <message>
            <source>场所类型</source>
            <translation>Site type</translation>
        </message>
        <message>
            <source>如 MQ-0001</source>
            <translation>e.g. MQ-0001</translation>
        </message>
        <message>
            <source>编辑检查对象</source>
            <translation>Edit subject</translation>
        </message>
        <message>
            <source>新建检查对象</source>
            <translation>New subject</translation>
        </message>
    </context>
    <context>
        <name>SubjectsModel</name>
        <message>
            <source>名称</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>类型</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>编码</source>
            <translation>Code</translation>
        </message>
        <message>
            <source>地址</source>
            <translation>Address</translation>
        </message>
        <message>
            <source>责任人</source>
            <translation>Responsible person</translation>
        </message>
        <message>
            <source>电话</source>
            <translation>Phone</translation>
        </message>
        <message>
            <source>辖区编码</source>
            <translation>Jurisdiction code</translation>
        </message>
        <message>
            <source>同步</source>
            <translation>Sync</translation>
        </message>
    </context>
    <context>
        <name>PatrolLogDialog</name>
        <message>
            <source>巡查日志</source>
            <translation>Patrol logs</translation>
        </message>
        <message>
            <source>开始</source>
            <translation>Start</translation>
        </message>
        <message>
            <source>巡查人</source>
            <translation>Patroller</translation>
        </message>
        <message>
            <source>街巷</source>
            <translation>Streets</translation>
        </message>
        <message>
            <source>检查</source>
            <translation>Checks</translation>
        </message>
        <message>
            <source>同步</source>
            <translation>Sync</translation>
        </message>
        <message>
            <source>检查内容，如：暴露垃圾</source>
            <translation>What was checked, e.g. exposed rubbish</translation>
        </message>
        <message>
            <source>合格</source>
            <translation>Pass</translation>
        </message>
        <message>
            <source>不合格</source>
            <translation>Fail</translation>
        </message>
        <message>
            <source>添加照片…</source>
            <translation>Add photos…</translation>
        </message>
        <message>
            <source>保存巡查日志</source>
            <translation>Save the patrol log</translation>
        </message>
        <message>
            <source>身份</source>
            <translation>Role</translation>
        </message>
        <message>
            <source>结束</source>
            <translation>End</translation>
        </message>
        <message>
            <source>走过的街巷</source>
            <translation>Streets walked</translation>
        </message>
        <message>
            <source>照片</source>
            <translation>Photos</translation>
        </message>
        <message>
            <source>备注</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>新建巡查日志</source>
            <translation>New patrol log</translation>
        </message>
        <message>
            <source>%1 项，%2 项不合格</source>
            <translation>%1 checks, %2 failed</translation>
        </message>
        <message>
            <source>添加照片</source>
            <translation>Add photos</translation>
        </message>
        <message>
            <source>照片 (*.jpg *.jpeg *.png *.heic *.webp)</source>
            <translation>Photos (*.jpg *.jpeg *.png *.heic *.webp)</translation>
        </message>
        <message>
            <source>请勾选走过的街巷</source>
            <translation>Tick the streets walked</translation>
        </message>
        <message numerus="yes">
            <source>%n 张照片</source>
            <translation>
                <numerusform>%n photo</numerusform>
                <numerusform>%n photos</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>SubjectsView</name>
        <message>
            <source>巡查日志</source>
            <translation>Patrol logs</translation>
        </message>
        <message>
            <source>一户一码一档</source>
            <translation>Unit file</translation>
        </message>
        <message>
            <source>请先选择一个门前三包责任单位</source>
            <translation>Select a street-front unit first</translation>
        </message>
        <message>
            <source>责任书：%1 家 30 天内到期待续签，%2 家已过期</source>
            <translation>Responsibility pledges: %1 due for renewal within 30 days, %2 expired</translation>
        </message>
        <message>
            <source>档案</source>
            <translation>File</translation>
        </message>
        <message>
            <source>一户一码一档：责任书、检查记录、问题与隐患、月度积分</source>
            <translation>The unit's file: pledge, inspections, cases, monthly points</translation>
        </message>
        <message numerus="yes">
            <source>共 %n 个</source>
            <translation>
                <numerusform>%n in all</numerusform>
                <numerusform>%n in all</numerusform>
            </translation>
        </message>
        <message>
            <source>保存导入模板</source>
            <translation>Save import template</translation>
        </message>
        <message>
            <source>选择要导入的表格</source>
            <translation>Choose the sheet to import</translation>
        </message>
        <message>
            <source>表格 (*.xlsx *.csv)</source>
            <translation>Sheets (*.xlsx *.csv)</translation>
        </message>
        <message>
            <source>正在导入…</source>
            <translation>Importing…</translation>
        </message>
        <message>
            <source>取消</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>无法导入</source>
            <translation>Cannot import</translation>
        </message>
        <message>
            <source>检查对象</source>
            <translation>Subjects</translation>
        </message>
        <message>
            <source>搜索名称、地址或编码（Ctrl+F）</source>
            <translation>Search name, address or code (Ctrl+F)</translation>
        </message>
        <message>
            <source>全部类型</source>
            <translation>All kinds</translation>
        </message>
        <message>
            <source>新建</source>
            <translation>New</translation>
        </message>
        <message>
            <source>编辑</source>
            <translation>Edit</translation>
        </message>
        <message>
            <source>开始检查</source>
            <translation>Start inspection</translation>
        </message>
        <message>
            <source>导入表格…</source>
            <translation>Import sheet…</translation>
        </message>
        <message>
            <source>下载模板…</source>
            <translation>Template…</translation>
        </message>
    </context>
    <context>
        <name>SyncBadges</name>
        <message>
            <source>照片下载中</source>
            <translation>Photos coming</translation>
        </message>
        <message>
            <source>记录已同步，照片尚未全部下载到本机</source>
            <translation>The record is synced; some of its photos are not on this computer yet</translation>
        </message>
        <message>
            <source>仅本机</source>
            <translation>This laptop only</translation>
        </message>
        <message>
            <source>待同步</source>
            <translation>Waiting to sync</translation>
        </message>
        <message>
            <source>已同步</source>
            <translation>Synced</translation>
        </message>
        <message>
            <source>被拒绝</source>
            <translation>Rejected</translation>
        </message>
        <message>
            <source>冲突</source>
            <translation>Conflict</translation>
        </message>
        <message>
            <source>只保存在本机（草稿不上传）</source>
            <translation>Kept on this laptop only (drafts are not uploaded)</translation>
        </message>
        <message>
            <source>已保存在本机，等待上传到服务器</source>
            <translation>Saved on this laptop, waiting to be uploaded</translation>
        </message>
        <message>
            <source>服务器已确认</source>
            <translation>Confirmed by the server</translation>
        </message>
        <message>
            <source>服务器拒绝了这项变更</source>
            <translation>The server rejected this change</translation>
        </message>
        <message>
            <source>服务器上的记录已变化，这项变更未生效</source>
            <translation>The record changed on the server; this change did not take effect</translation>
        </message>
        <message>
            <source>原因：%1</source>
            <translation>Reason: %1</translation>
        </message>
    </context>
    <context>
        <name>SyncMessages</name>
        <message>
            <source>用户名或密码不正确。</source>
            <translation>Wrong username or password.</translation>
        </message>
        <message>
            <source>此账号已停用，请联系管理员。</source>
            <translation>This account is disabled; please contact your administrator.</translation>
        </message>
        <message>
            <source>登录失败次数过多，请 %1 秒后再试。</source>
            <translation>Too many failed logins; try again in %1 seconds.</translation>
        </message>
        <message>
            <source>登录失败次数过多，请稍后再试。</source>
            <translation>Too many failed logins; try again later.</translation>
        </message>
        <message>
            <source>需要安装新版本：%1</source>
            <translation>Please install the new version: %1</translation>
        </message>
        <message>
            <source>服务器的同步协议与本程序不兼容，请联系管理员：%1</source>
            <translation>The server&apos;s sync protocol does not match this app; please contact your administrator: %1</translation>
        </message>
        <message>
            <source>无法建立安全连接：服务器证书不受信任。如单位使用自己的证书，请指定 CA 文件。</source>
            <translation>Cannot make a secure connection: the server&apos;s certificate is not trusted. If your organisation uses its own certificates, choose its CA bundle.</translation>
        </message>
        <message>
            <source>无法连接服务器，请检查网络和服务器地址。（%1）</source>
            <translation>Cannot reach the server; please check the network and the server address. (%1)</translation>
        </message>
        <message>
            <source>同步出错，详情见日志。</source>
            <translation>Sync went wrong; the log has the details.</translation>
        </message>
        <message>
            <source>同步完成：上传照片 %1 张，提交 %2 项，收到 %3 项。</source>
            <translation>Sync done: %1 photo(s) uploaded, %2 change(s) sent, %3 update(s) received.</translation>
        </message>
        <message>
            <source>%1 项冲突或被拒绝，请处理。</source>
            <translation> %1 conflict(s) or rejection(s) to decide.</translation>
        </message>
        <message>
            <source>%1 项仍待同步。</source>
            <translation> %1 still waiting to sync.</translation>
        </message>
        <message>
            <source>同步已取消，下次同步从中断处继续。</source>
            <translation>Sync cancelled; the next sync continues where this one stopped.</translation>
        </message>
        <message>
            <source>登录已失效，请在设置中重新登录（待同步的数据仍保留在本机）。</source>
            <translation>The login has ended: please log in again in Settings (changes waiting to sync stay on this computer).</translation>
        </message>
        <message>
            <source>另一个同步正在此数据文件夹上进行（本程序或命令行），请稍后再试。</source>
            <translation>Another sync is running on this data folder (the app or the command line): try again when it ends.</translation>
        </message>
        <message>
            <source>未配置同步：请先在设置中登录服务器。</source>
            <translation>Sync is not configured: log in to a server in Settings first.</translation>
        </message>
        <message>
            <source>同步失败：%1</source>
            <translation>Sync failed: %1</translation>
        </message>
        <message>
            <source>连接服务器</source>
            <translation>Connecting</translation>
        </message>
        <message>
            <source>上传照片</source>
            <translation>Uploading photos</translation>
        </message>
        <message>
            <source>提交变更</source>
            <translation>Sending changes</translation>
        </message>
        <message>
            <source>接收更新</source>
            <translation>Receiving updates</translation>
        </message>
        <message>
            <source>下载照片</source>
            <translation>Downloading photos</translation>
        </message>
        <message>
            <source>巡查员</source>
            <translation>Inspector</translation>
        </message>
        <message>
            <source>督查员</source>
            <translation>Supervisor</translation>
        </message>
        <message>
            <source>系统管理员</source>
            <translation>Administrator</translation>
        </message>
    </context>
    <context>
        <name>SyncStatusWidget</name>
        <message>
            <source>请先在设置中登录同步服务器。</source>
            <translation>Please log in to the sync server in Settings first.</translation>
        </message>
        <message>
            <source>正在取消…</source>
            <translation>Cancelling…</translation>
        </message>
        <message numerus="yes">
            <source>冲突 %n 项</source>
            <translation>
                <numerusform>%n conflict</numerusform>
                <numerusform>%n conflicts</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>被拒绝 %n 项</source>
            <translation>
                <numerusform>%n refused</numerusform>
                <numerusform>%n refused</numerusform>
            </translation>
        </message>
        <message>
            <source>服务器拒绝或判为冲突的变更：查看原因，重新提交或放弃</source>
            <translation>Changes the server rejected or found in conflict: see why, re-apply or discard</translation>
        </message>
        <message>
            <source>同步</source>
            <translation>Sync</translation>
        </message>
        <message>
            <source>立即与服务器同步</source>
            <translation>Sync with the server now</translation>
        </message>
        <message>
            <source>取消</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>停止本次同步（已完成的部分保留，下次继续）</source>
            <translation>Stop this sync (what is done is kept; the next sync continues)</translation>
        </message>
    </context>
    <context>
        <name>TodayView</name>
        <message>
            <source>只判断了最近变动的 %1 个未结问题，可能还有更早的待办：请到“隐患台账”按状态查看。</source>
            <translation>Only the %1 most recently changed open findings were checked; older ones may also wait for you: see the Hazard ledger, filtered by state.</translation>
        </message>
        <message>
            <source>另有 %1 项待办未在此列出：请到“隐患台账”按状态查看。</source>
            <translation>%1 more to-dos are not listed here: see the Hazard ledger, filtered by state.</translation>
        </message>
        <message>
            <source>无法读取今日工作</source>
            <translation>Cannot read today&apos;s work</translation>
        </message>
        <message>
            <source>已填 %1/%2 项 · 更新于 %3</source>
            <translation>%1/%2 answered · updated %3</translation>
        </message>
        <message>
            <source>期限 %1</source>
            <translation>due %1</translation>
        </message>
        <message>
            <source>逾期</source>
            <translation>overdue</translation>
        </message>
        <message>
            <source>照片未上传：%1</source>
            <translation>Photos not uploaded: %1</translation>
        </message>
        <message>
            <source>没有待同步的变更</source>
            <translation>Nothing waits to sync</translation>
        </message>
        <message>
            <source>工作台</source>
            <translation>Today</translation>
        </message>
        <message>
            <source>新建检查</source>
            <translation>New inspection</translation>
        </message>
        <message>
            <source>随手拍</source>
            <translation>Quick report</translation>
        </message>
        <message>
            <source>不按检查表，直接记录发现的问题</source>
            <translation>Record a problem without a checklist</translation>
        </message>
        <message>
            <source>未完成的检查</source>
            <translation>Unfinished inspections</translation>
        </message>
        <message>
            <source>没有未完成的检查。点“新建检查”开始。</source>
            <translation>No unfinished inspections. Click “New inspection” to start one.</translation>
        </message>
        <message>
            <source>我的待办问题</source>
            <translation>My open findings</translation>
        </message>
        <message>
            <source>没有待处理的问题。</source>
            <translation>No open findings.</translation>
        </message>
        <message>
            <source>待同步</source>
            <translation>Waiting to sync</translation>
        </message>
        <message>
            <source>未配置同步：数据都保存在本机，配置服务器后再上传。</source>
            <translation>Sync not configured: all data is kept on this computer and uploaded once a server is set up.</translation>
        </message>
    </context>
<context>
    <name>ExposureDialog</name>
    <message>
        <source>选择曝光问题</source>
        <translation>Choose the cases to expose</translation>
    </message>
    <message>
        <source>按规则预选：市级、区级、第三方检查发现的，督办的，逾期的。取消勾选的不曝光。</source>
        <translation>Preselected by the rule: found by city, district or third-party checks, under supervision (督办), or overdue. Untick the ones not to expose.</translation>
    </message>
</context>
<context>
    <name>MonthReportArea</name>
    <message>
        <source>正在读取 %1 的数据…</source>
        <translation>Reading the data of %1…</translation>
    </message>
    <message>
        <source>%1：检查 %2 次，曝光预选 %3 个，约谈 %4 次</source>
        <translation>%1: %2 checks, %3 cases preselected for exposure, %4 talks</translation>
    </message>
    <message>
        <source>半月巡查提醒：本半月尚无街乡巡查的门前三包单位 %1 个</source>
        <translation>Half-monthly patrol alert: %1 street-front units not yet patrolled by the street this half-month</translation>
    </message>
    <message>
        <source>Excel 表格 (*.xlsx)</source>
        <translation>Excel workbook (*.xlsx)</translation>
    </message>
    <message>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF file (*.pdf)</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>正在生成…</source>
        <translation>Writing…</translation>
    </message>
    <message>
        <source>已保存：%1</source>
        <translation>Saved: %1</translation>
    </message>
    <message>
        <source>约谈未保存：%1</source>
        <translation>Talk not saved: %1</translation>
    </message>
    <message>
        <source>已记录约谈：%1</source>
        <translation>Talk recorded: %1</translation>
    </message>
    <message>
        <source>月度报告（月检查、月曝光、月排名）</source>
        <translation>Monthly report (checks, exposure, ranking)</translation>
    </message>
    <message>
        <source>报告月份</source>
        <translation>Report month</translation>
    </message>
    <message>
        <source>月检查 PDF…</source>
        <translation>Monthly checks PDF…</translation>
    </message>
    <message>
        <source>月曝光 PDF…</source>
        <translation>Exposure PDF…</translation>
    </message>
    <message>
        <source>月排名通报 PDF…</source>
        <translation>Ranking bulletin PDF…</translation>
    </message>
    <message>
        <source>月排名通报 xlsx…</source>
        <translation>Ranking bulletin xlsx…</translation>
    </message>
    <message>
        <source>记录约谈…</source>
        <translation>Record a talk…</translation>
    </message>
    <message>
        <source>督导员记录约谈（对象、时间、事由），对应本月排名或黑榜条目</source>
        <translation>A supervisor records a talk (who, when, why) tied to this month's ranking or black-list entry</translation>
    </message>
</context>
<context>
    <name>TalkDialog</name>
    <message>
        <source>记录约谈</source>
        <translation>Record a talk</translation>
    </message>
    <message>
        <source>其他（不对应排名条目）</source>
        <translation>Other (no ranking entry)</translation>
    </message>
    <message>
        <source>9 位街乡代码</source>
        <translation>9-digit street code</translation>
    </message>
    <message>
        <source>依据</source>
        <translation>Basis</translation>
    </message>
    <message>
        <source>街乡</source>
        <translation>Street</translation>
    </message>
    <message>
        <source>约谈对象</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <source>约谈日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>事由</source>
        <translation>Reason</translation>
    </message>
</context>
    <context>
        <name>UnitFileDialog</name>
        <message>
            <source>一户一码一档</source>
            <translation>Unit file</translation>
        </message>
        <message>
            <source> 个月</source>
            <translation> months</translation>
        </message>
        <message>
            <source>选择扫描件…</source>
            <translation>Choose a scan…</translation>
        </message>
        <message>
            <source>正在读取扫描件…</source>
            <translation>Reading the scan…</translation>
        </message>
        <message>
            <source>保存责任书</source>
            <translation>Save the pledge</translation>
        </message>
        <message>
            <source>签订日期</source>
            <translation>Signed on</translation>
        </message>
        <message>
            <source>期限</source>
            <translation>Term</translation>
        </message>
        <message>
            <source>签字人</source>
            <translation>Signed by</translation>
        </message>
        <message>
            <source>扫描件</source>
            <translation>Scan</translation>
        </message>
        <message>
            <source>门前三包责任书</source>
            <translation>Street-front responsibility pledge</translation>
        </message>
        <message>
            <source>日期</source>
            <translation>Date</translation>
        </message>
        <message>
            <source>检查表</source>
            <translation>Checklist</translation>
        </message>
        <message>
            <source>检查层级</source>
            <translation>Level</translation>
        </message>
        <message>
            <source>得分</source>
            <translation>Score</translation>
        </message>
        <message>
            <source>结论</source>
            <translation>Outcome</translation>
        </message>
        <message>
            <source>编号</source>
            <translation>Number</translation>
        </message>
        <message>
            <source>发现日期</source>
            <translation>Found on</translation>
        </message>
        <message>
            <source>问题</source>
            <translation>Problem</translation>
        </message>
        <message>
            <source>状态</source>
            <translation>State</translation>
        </message>
        <message>
            <source>整改期限</source>
            <translation>Deadline</translation>
        </message>
        <message>
            <source>月份</source>
            <translation>Month</translation>
        </message>
        <message>
            <source>检查次数</source>
            <translation>Inspections</translation>
        </message>
        <message>
            <source>积分</source>
            <translation>Points</translation>
        </message>
        <message>
            <source>红黑榜</source>
            <translation>Red/black list</translation>
        </message>
        <message>
            <source>检查记录</source>
            <translation>Inspections</translation>
        </message>
        <message>
            <source>问题与隐患</source>
            <translation>Cases</translation>
        </message>
        <message>
            <source>月度积分</source>
            <translation>Monthly points</translation>
        </message>
        <message>
            <source>导出档案 PDF…</source>
            <translation>Export the file as PDF…</translation>
        </message>
        <message>
            <source>%1（一户一码：%2）</source>
            <translation>%1 (code %2)</translation>
        </message>
        <message>
            <source>尚未录入责任书</source>
            <translation>No pledge recorded yet</translation>
        </message>
        <message>
            <source>续签截止 %1 · %2</source>
            <translation>Renew by %1 · %2</translation>
        </message>
        <message>
            <source>已存扫描件</source>
            <translation>Scan stored</translation>
        </message>
        <message>
            <source>无扫描件</source>
            <translation>No scan</translation>
        </message>
        <message>
            <source>选择责任书扫描件</source>
            <translation>Choose the pledge's scan</translation>
        </message>
        <message>
            <source>PDF 或照片 (*.pdf *.jpg *.jpeg *.png *.heic)</source>
            <translation>PDF or photo (*.pdf *.jpg *.jpeg *.png *.heic)</translation>
        </message>
        <message>
            <source>已选：%1</source>
            <translation>Chosen: %1</translation>
        </message>
        <message>
            <source>导出档案</source>
            <translation>Export the file</translation>
        </message>
    </context>
</TS>
