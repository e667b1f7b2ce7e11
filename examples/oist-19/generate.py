#!/usr/bin/env python3
"""Writes the oist-19 example: 19 houses like the OIST deployment (Okinawa), APIS files + community.json.

Facts (shared/reference/models-and-data.md): 2LDK houses with 2.7 kWp of PV, 3LDK houses with
4.0 kWp; 4.8 kWh batteries; a 350 V DC exchange bus. Lines are 2 x 4 mm2 copper:
0.0086 ohm per metre of route. Run from this folder: ./generate.py
"""
import json
import os

ids = [f"E{n:03d}" for n in range(1, 20)]
# (kind, route metres from its parent, parent or None for the junction): three feeders.
layout = {
    "E001": ("3LDK", 25, None), "E002": ("2LDK", 30, "E001"), "E003": ("2LDK", 35, "E002"),
    "E004": ("3LDK", 30, "E003"), "E005": ("2LDK", 40, "E004"), "E006": ("2LDK", 30, "E005"),
    "E007": ("3LDK", 20, None), "E008": ("2LDK", 35, "E007"), "E009": ("3LDK", 30, "E008"),
    "E010": ("2LDK", 25, "E009"), "E011": ("3LDK", 45, "E010"), "E012": ("2LDK", 30, "E011"),
    "E013": ("2LDK", 30, None), "E014": ("3LDK", 25, "E013"), "E015": ("2LDK", 35, "E014"),
    "E016": ("2LDK", 30, "E015"), "E017": ("3LDK", 40, "E016"), "E018": ("2LDK", 25, "E017"),
    "E019": ("3LDK", 30, "E018"),
}
ohm_per_m = 0.0086

def write(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

units = []
for i, uid in enumerate(ids):
    kind, metres, parent = layout[uid]
    big = kind == "3LDK"
    unit = {
        "id": uid,
        "config": f"units/{uid}/config.json",
        "pv": {"kwp": 4.0 if big else 2.7},
        "load": {"annualKwh": (4800 if big else 3600) + (i * 137) % 900 - 450,
                 "shiftMin": (i * 37) % 150 - 60},
        "battery": {"initialRsocPct": 40 + (i * 11) % 35},
        "bus": {"resistanceOhm": round(metres * ohm_per_m, 4)},
    }
    if parent:
        unit["bus"]["parent"] = parent
    if i % 3 == 0:  # a third of the houses (7 of 19) have an electric car on a 16 A charger
        unit["ev"] = {"batteryKwh": 40, "maxW": 3700}
    units.append(unit)
    config = f"""{{
\t// APIS config.json of unit {uid} ({kind}). Paths are relative to this file.
\t"programId" : "apis-main",
\t"communityId" : "oist",
\t"clusterId" : "oist-19",
\t"security" : {{ "enabled" : false }},
\t"unitId" : "{uid}",
\t"unitName" : "{uid}",
\t"serialNumber" : "{i + 1}",
\t"systemType" : "dcdc_emulator",
\t"hwConfigFile" : "../../hwConfig.json",
\t"policyFile" : "../../policy.json",
\t"scenarioFile" : "../../scenario.json",
\t"stateFileFormat" : "{{tmpdir}}/wattshare/{uid}/state/%s",
\t"dealLogDirFormat" : "'{{tmpdir}}/wattshare/{uid}/dealLog/'uuuu'/'MM'/'dd",
\t"fileSystemExclusiveLockFileFormat" : "{{tmpdir}}/.wattshare.{uid}.%s.lock",
\t"connection" : {{
\t\t"emulator" : {{ "host" : "localhost", "port" : 4390 }},
\t\t"dcdc_controller" : {{ "host" : "localhost", "port" : {4380 + i} }}
\t}},
\t"controlCenter" : {{ "enabled" : false }},
\t"batteryCapacityManagement" : {{ "enabled" : false }},
\t"watchdog" : {{ "enabled" : false }}
}}
"""
    write(f"units/{uid}/config.json", config)

community = {
    "name": "oist-19",
    "location": {"latitudeDeg": 26.46, "longitudeDeg": 127.83, "utcOffsetHours": 9},
    "start": "2020-01-01",
    "seed": 19,
    "bus": {"bleedSiemens": 1e-6},
    # Every house a 200 L water heater on a 2 kW element (issue 18: flexible loads).
    "defaults": {"load": {"spikesPerDay": 5}, "systemLossW": 17.5, "exportLimitW": 0,
                 "waterHeater": {"volumeL": 200, "elementW": 2000}},
    "units": units,
}
header = ("// 19 houses like the OIST deployment: 2LDK (2.7 kWp) and 3LDK (4.0 kWp), 4.8 kWh\n"
          "// batteries, three feeders of a 350 V DC bus; every house a 200 L water heater, one in\n"
          "// three an electric car. Written by generate.py.\n")
write("community.json", header + json.dumps(community, indent=1) + "\n")

# policy.json: the sample policy with 19 members and no per-branch evaluation (sum cap only).
src = open("../apis-sample/policy.json").read()
members_at = src.index('"memberUnitIds"')
src = src[:members_at] + '"memberUnitIds" : [' + ", ".join(f'"{u}"' for u in ids) + "]," + \
    src[src.index("\n", members_at):]
safety_at = src.index('\t"safety" : {')
safety_end = src.index('\t"heloPeriodMsec"')
src = src[:safety_at] + """\t"safety" : {
\t\t"sumOfDealingUnitGridCurrentAllowancePerUnitA" : 0.125,
\t\t"sumOfDealGridCurrentMaxA" : 100,
\t\t"gridTopologyBasedEvaluation" : { "enabled" : false }
\t},

""" + src[safety_end:]
# No large-capacity units: every house has the same 4.8 kWh battery and 2.3 A converter, and a unit
# named there takes the voltage reference whenever it deals, carrying the whole bus's imbalance.
src = src.replace('"largeCapacityUnitIds" : ["E001"]', '"largeCapacityUnitIds" : []')
src = src.replace("// Preferred holders of the voltage reference.", "// Preferred holders of the voltage reference: none, every house has the same battery and converter.")
src = src.replace("4-unit sample community", "19-unit OIST-like community")
# Deals of 2 A (APIS's sample value; one slot per 2.3 A converter): a converter's fixed loss (35-50 W)
# is paid per deal, about a quarter of a 1 A deal's 350 W but an eighth of 700 W.
deal_1a = '"deal" : { "gridCurrentA" : 1, "amountMinWh" : 50, "amountMaxWh" : 50, "amountUnitWh" : 50 }'
assert deal_1a in src
src = src.replace(deal_1a, '"deal" : { "gridCurrentA" : 2, "amountMinWh" : 50, "amountMaxWh" : 100, "amountUnitWh" : 50 }')
src = src.replace("// One deal: 1 A on the bus (about 350 W), 50 Wh.",
                  "// One deal: 2 A on the bus (about 700 W; one slot: floor(2.3 / 2)), 50 to 100 Wh. Larger deals lose\n"
                  "\t// less: each converter's fixed loss (35-50 W) is paid per deal.")
# Start a deal's current in one step of 2 A (the sample's 1 A steps take two set-points, each with
# its 100 ms checkpoint): the converter slews 20 A/s by itself and the reference has room for it.
step_1a = '"gridCurrentStepA" : 1,'
assert step_1a in src
src = src.replace(step_1a, '"gridCurrentStepA" : 2,')
# The receiving battery may be filled to its BMS ceiling: energy it cannot take is surplus anyway.
src = src.replace('"chargeUnitUpperLimitRsoc" : 95', '"chargeUnitUpperLimitRsoc" : 100')
write("policy.json", src)
write("hwConfig.json", open("../apis-sample/hwConfig.json").read())

# scenario.json: share surplus only (see the comment written into the file).
bands = '{ "4790-" : "excess", "4740-4790" : "sufficient", "-4740" : "scarce" }'
nothing = '{ "excess" : { }, "sufficient" : { }, "scarce" : { } }'
quiet = f"""{{
\t\t"batteryStatus" : {bands},
\t\t"request" : {nothing},
\t\t"accept" : {nothing}
\t}}"""
write("scenario.json", f"""{{
\t// APIS scenario.json of the oist-19 houses (reference apis.md §2.5, §4.2). Written by generate.py.
\t// Share surplus only. In daylight a full battery (4790 Wh and more of 4800) means its panels are
\t// being curtailed: that unit offers 50 Wh at a time, and every unit that is not nearly full
\t// (below 4740 Wh) takes it, up to 4790 Wh. A giver whose surplus is smaller than the deal's
\t// 700 W drops below 4790 Wh and offers nothing more until its panels fill it again, so what moves
\t// is energy that would be lost, not what the giver needs for its night. Nothing is traded at
\t// night: an exchange would only move stored energy, and lose about 15 % of it in the converters.
\t"refreshingPeriodMsec" : 5000,
\t"acceptSelection" : {{ "strategy" : "amount" }},
\t"00:00:00-06:00:00" : {quiet},
\t"06:00:00-18:00:00" : {{
\t\t"batteryStatus" : {bands},
\t\t"request" : {{
\t\t\t"excess" : {{ "discharge" : {{ "limitWh" : 4740, "pointPerWh" : 10 }} }},
\t\t\t"sufficient" : {{ }},
\t\t\t"scarce" : {{ }}
\t\t}},
\t\t"accept" : {{
\t\t\t"excess" : {{ }},
\t\t\t"sufficient" : {{ }},
\t\t\t"scarce" : {{ "charge" : {{ "limitWh" : 4790, "pointPerWh" : 10 }} }}
\t\t}}
\t}},
\t"18:00:00-24:00:00" : {quiet}
}}
""")
