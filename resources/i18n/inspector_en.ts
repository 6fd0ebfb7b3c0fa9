<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
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
            <source>15 位网格编码</source>
            <translation>15-digit grid code</translation>
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
            <source>辖区编码</source>
            <translation>Jurisdiction code</translation>
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
    </context>
    <context>
        <name>FindingDetail</name>
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
            <source>随手拍</source>
            <translation>Quick report</translation>
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
            <source>被拒绝</source>
            <translation>Rejected</translation>
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
            <translation>Subjects</translation>
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
            <source>上报时间</source>
            <translation>Reported</translation>
        </message>
        <message>
            <source>来源</source>
            <translation>Origin</translation>
        </message>
        <message>
            <source>照片</source>
            <translation>Photos</translation>
        </message>
        <message>
            <source>处理记录</source>
            <translation>Timeline</translation>
        </message>
        <message>
            <source>在左侧选择一个问题查看详情。</source>
            <translation>Select a finding on the left to see its details.</translation>
        </message>
    </context>
    <context>
        <name>FindingsModel</name>
        <message>
            <source>逾期</source>
            <translation>Overdue</translation>
        </message>
        <message>
            <source>冲突</source>
            <translation>Conflict</translation>
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
            <source>编号</source>
            <translation>Number</translation>
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
            <source>检查对象</source>
            <translation>Subjects</translation>
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
            <source>同步</source>
            <translation>Sync</translation>
        </message>
    </context>
    <context>
        <name>FindingsView</name>
        <message>
            <source>全部类别</source>
            <translation>All categories</translation>
        </message>
        <message numerus="yes">
            <source>共 %n 个</source>
            <translation>
                <numerusform>%n in all</numerusform>
                <numerusform>%n in all</numerusform>
            </translation>
        </message>
        <message>
            <source>问题</source>
            <translation>Findings</translation>
        </message>
        <message>
            <source>搜索描述、类别或编号</source>
            <translation>Search description, category or number</translation>
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
            <source>只看逾期</source>
            <translation>Overdue only</translation>
        </message>
        <message>
            <source>只看待同步</source>
            <translation>Waiting to sync only</translation>
        </message>
        <message>
            <source>随手拍</source>
            <translation>Quick report</translation>
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
            <translation>Wording: </translation>
        </message>
        <message>
            <source>说明：</source>
            <translation>Note: </translation>
        </message>
        <message>
            <source>参考条目：非官方原文，由检查经验整理，仅供参考。</source>
            <translation>Reference item: not official wording; compiled from inspection practice, for guidance only.</translation>
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
        <name>Labels</name>
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
            <source>官方原文</source>
            <translation>Official wording</translation>
        </message>
        <message>
            <source>规划文件</source>
            <translation>Planning document</translation>
        </message>
        <message>
            <source>参考条目</source>
            <translation>Reference item</translation>
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
            <source>问题</source>
            <translation>Findings</translation>
        </message>
        <message>
            <source>设置</source>
            <translation>Settings</translation>
        </message>
    </context>
    <context>
        <name>NewInspectionDialog</name>
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
        <name>PhotoStrip</name>
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
        <name>RunnerView</name>
        <message>
            <source>得分 %1 / %2</source>
            <translation>Score %1 / %2</translation>
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
        <message>
            <source>未配置同步</source>
            <translation>Sync not configured</translation>
        </message>
        <message>
            <source>同步服务器尚未配置。所有数据保存在本机，待同步的变更会一直保留，直到上传成功。</source>
            <translation>No sync server is configured yet. All data is kept on this computer; changes waiting to sync are kept until they are uploaded.</translation>
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
                <numerusform>%n change to sync</numerusform>
                <numerusform>%n changes to sync</numerusform>
            </translation>
        </message>
        <message>
            <source>上次同步 %1</source>
            <translation>Last sync %1</translation>
        </message>
        <message>
            <source>未配置同步</source>
            <translation>Sync not configured</translation>
        </message>
        <message>
            <source>同步功能尚未配置：数据保存在本机，配置服务器后再上传。</source>
            <translation>Sync is not configured: data stays on this computer and is uploaded once a server is set up.</translation>
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
            <source>辖区编码 *</source>
            <translation>Jurisdiction code *</translation>
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
            <source>15 位网格编码，如 110101001000000</source>
            <translation>15-digit grid code, e.g. 110101001000000</translation>
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
        <name>SubjectsView</name>
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
        <name>TodayView</name>
        <message>
            <source>已填 %1/%2 项 · 更新于 %3</source>
            <translation>%1/%2 answered · updated %3</translation>
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
</TS>
