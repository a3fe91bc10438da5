"""The demo township's fixed data: 文水县 → 西槽头乡, its villages, departments and units.

Names are realistic but the units are invented; codes follow the national
12-digit division structure. Everything else is generated from a seed.
"""

COUNTY = ("141127000000", "文水县")
TOWNSHIP = ("141127203000", "西槽头乡")

VILLAGES = [
    ("141127203201", "西槽头村"),
    ("141127203202", "东槽头村"),
    ("141127203203", "南武涝村"),
    ("141127203204", "北武涝村"),
    ("141127203205", "穆家寨村"),
    ("141127203206", "马西村"),
    ("141127203207", "新堡村"),
    ("141127203208", "宜儿村"),
    ("141127203209", "孝义村"),
    ("141127203210", "王家堡村"),
]

COUNTY_AUTHORITY = "文水县应急管理局"
TOWNSHIP_GOV = "西槽头乡人民政府"

# (name, industries it supervises in the township)
DEPARTMENTS = [
    ("西槽头乡应急管理站", ["hazchem", "metallurgy_trade", "other"]),
    ("文水县公安局西槽头派出所", ["explosives", "fire_crowded", "road_transport"]),
    ("西槽头市场监督管理所", ["gas", "fire_crowded"]),
    ("西槽头乡规划建设和环保办公室", ["construction"]),
    ("西槽头乡综合文化站", ["culture_tourism"]),
    ("西槽头乡交通管理站", ["road_transport"]),
    ("西槽头乡财政所", []),
]

# (name, kind, industries, flags, village index, employees)
# kind: "enterprise" or "place"; flags: k=key, c=crowded, s=sensitive, m=mixed
UNITS = [
    ("文水县鑫源化工有限公司", "enterprise", ["hazchem"], "k", 0, 86),
    ("文水县晋丰化工有限公司", "enterprise", ["hazchem"], "k", 1, 64),
    ("西槽头加油站", "enterprise", ["hazchem"], "kc", 0, 9),
    ("文水县恒通液化气供应站", "enterprise", ["gas", "hazchem"], "k", 2, 12),
    ("文水县华润燃气西槽头门站", "enterprise", ["gas"], "k", 3, 15),
    ("文水县宏达建筑工程有限公司", "enterprise", ["construction"], "k", 4, 120),
    ("西槽头中心学校教学楼改造工地", "place", ["construction"], "s", 0, 45),
    ("文水县鑫旺建材有限公司", "enterprise", ["construction", "metallurgy_trade"], "", 5, 38),
    ("文水县顺达物流运输有限公司", "enterprise", ["road_transport"], "k", 6, 57),
    ("文水县通源客运有限公司", "enterprise", ["road_transport"], "kc", 1, 44),
    ("西槽头农资配送站", "enterprise", ["road_transport", "hazchem"], "", 7, 8),
    ("吕梁市汾安民爆器材有限公司文水分公司", "enterprise", ["explosives"], "k", 8, 23),
    ("文水县开元爆破工程有限公司", "enterprise", ["explosives"], "k", 9, 18),
    ("则天庙景区", "place", ["culture_tourism", "fire_crowded"], "c", 2, 20),
    ("马西村农家乐", "place", ["culture_tourism", "fire_crowded"], "c", 5, 6),
    ("西槽头乡综合文化活动中心", "place", ["culture_tourism", "fire_crowded"], "c", 0, 4),
    ("宜儿村民俗文化广场", "place", ["culture_tourism"], "c", 7, 2),
    ("文水县福源宾馆", "enterprise", ["fire_crowded"], "c", 0, 14),
    ("西槽头鑫鑫超市", "enterprise", ["fire_crowded"], "c", 1, 11),
    ("金鼎大酒店", "enterprise", ["fire_crowded", "gas"], "kc", 0, 35),
    ("老西门饭店", "place", ["fire_crowded", "gas"], "c", 3, 9),
    ("西槽头中心幼儿园", "place", ["fire_crowded"], "cs", 0, 16),
    ("西槽头乡敬老院", "place", ["fire_crowded"], "cs", 4, 10),
    ("西槽头卫生院", "place", ["fire_crowded"], "cs", 0, 28),
    ("欢乐时光KTV", "enterprise", ["fire_crowded"], "c", 1, 7),
    ("星空网吧", "place", ["fire_crowded"], "c", 2, 3),
    ("东槽头村自建出租房", "place", ["fire_crowded"], "cm", 1, 0),
    ("南武涝村前店后厂加工点", "place", ["fire_crowded", "metallurgy_trade"], "cm", 2, 5),
    ("西槽头浴池", "place", ["fire_crowded", "gas"], "c", 0, 4),
    ("文水县宏盛铸造有限公司", "enterprise", ["metallurgy_trade"], "k", 3, 92),
    ("文水县金泰钢铁制品有限公司", "enterprise", ["metallurgy_trade"], "k", 4, 150),
    ("文水县晋粮面粉加工厂", "enterprise", ["metallurgy_trade"], "", 5, 26),
    ("文水县冰川冷链食品有限公司", "enterprise", ["metallurgy_trade"], "k", 6, 48),
    ("文水县天宇木业有限公司", "enterprise", ["metallurgy_trade"], "", 7, 33),
    ("文水县绿源纺织有限公司", "enterprise", ["metallurgy_trade"], "c", 8, 210),
    ("西槽头乡污水处理站", "enterprise", ["other"], "", 9, 6),
    ("文水县禾丰农业机械专业合作社", "enterprise", ["other"], "", 6, 14),
    ("西槽头液化石油气瓶储存点", "place", ["gas"], "", 8, 2),
    ("王家堡村燃气调压站", "place", ["gas"], "", 9, 0),
    ("文水县恒信汽车维修厂", "enterprise", ["other", "fire_crowded"], "", 5, 17),
    ("孝义村光伏电站", "enterprise", ["other"], "", 8, 5),
    ("西槽头快递驿站", "place", ["road_transport", "fire_crowded"], "m", 0, 4),
    ("文水县盛达煤炭经销有限公司", "enterprise", ["road_transport"], "", 6, 21),
    ("新堡村粮食烘干点", "place", ["metallurgy_trade"], "", 6, 3),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "建国志强伟华秀英丽娟海军红梅永刚晓东玉兰春生文斌俊杰桂芳立新明亮德胜宏伟小平"
STREETS = ["文峪路", "汾河街", "则天大道", "胜利街", "新华路", "村中街", "工业园路", "北环路"]

# The twelve accounts of the issue's contract, then ent1's workshop head and team leader
# (who apply for and sign work permits): username → (name, role, which org)
# org keys: "county", "township", "dept:<index>", "village:<index>", "unit:<index>"
ACCOUNTS = [
    ("admin", "系统管理员", "sys_admin", "township"),
    ("secadmin", "安全管理员", "sec_admin", "township"),
    ("auditor", "审计管理员", "audit_admin", "township"),
    ("township", "赵安平", "township_officer", "township"),
    ("leader", "李志刚", "township_leader", "township"),
    ("dept", "孙海军", "dept_officer", "dept:0"),
    ("village1", "王建国", "village_officer", "village:0"),
    ("village2", "刘秀英", "village_officer", "village:1"),
    ("ent1", "陈永刚", "ent_principal", "unit:0"),
    ("ent2", "杨立新", "ent_principal", "unit:1"),
    ("ent1safety", "周晓东", "ent_safety", "unit:0"),
    ("county", "吴德胜", "county_viewer", "county"),
    ("ent1workshop", "郭春生", "ent_dept_head", "unit:0"),
    ("ent1team", "马俊杰", "ent_team_leader", "unit:0"),
]
