#!/usr/bin/python3
# An independent SolarEdge StorEdge peer for the tests: pymodbus (Debian's python3-pymodbus)
# serving, from 40000, "SunS", the common model, a three-phase inverter (103) and a *float*
# three-phase meter (SunSpec model 213: W a float32, high word first, 26 registers into the
# block), and SolarEdge's battery 1 block at 0xE100 (float32 with the low word first, as
# SolarEdge's StorEdge technical note lists them: Instantaneous Power at 0xE174, > 0 charging;
# State of Energy at 0xE184, %), with the same battery as a SunSpec battery base model (802:
# SoC at +9 with its SF at +54, W at +45 with its SF at +61, positive discharging) in the chain.
# Usage: storedge_pymodbus_server.py INVERTER_W METER_W BATTERY_W BATTERY_SOE ("nan" for NaN)
# Prints "ready PORT" once it listens on 127.0.0.1.
import struct
import sys

from pymodbus.datastore import ModbusSparseDataBlock, ModbusServerContext, ModbusSlaveContext

from modbus_peer import serve

inv_w, met_w, bat_w, soe = (float(x) for x in sys.argv[1:5])

def words(value, low_first):
    hi, lo = struct.unpack(">HH", struct.pack(">f", value))
    return [lo, hi] if low_first else [hi, lo]

def text(s, n):
    b = s.encode().ljust(2 * n, b"\0")
    return [(b[2 * i] << 8) | b[2 * i + 1] for i in range(n)]

regs = {}
def put(address, values):
    for i, v in enumerate(values):
        regs[address + i] = v

put(40000, [0x5375, 0x6E53])
put(40002, [1, 65] + text("SolarEdge", 16) + text("SE10K-RWS-STOREDGE", 16) + [0] * 16 + text("PEER0002", 16) + [1, 0])
put(40069, [103, 50] + [0] * 50)
put(40069 + 2 + 12, [int(inv_w) & 0xFFFF, 0])  # W, W_SF 0
put(40069 + 2 + 36, [4])                        # producing
put(40121, [1, 65] + [0] * 65)
put(40188, [213, 124] + [0] * 124)
put(40188 + 2 + 26, words(met_w, low_first=False))
put(40314, [802, 62] + [0] * 62)
if soe == soe:                          # not NaN: SoC in tenths of a percent, W in watts
    put(40314 + 2 + 9, [int(round(soe * 10)) & 0xFFFF])
    put(40314 + 2 + 54, [0xFFFF])       # SoC_SF -1
    put(40314 + 2 + 45, [int(round(-bat_w)) & 0xFFFF])
else:
    put(40314 + 2 + 9, [0xFFFF])
    put(40314 + 2 + 54, [0x8000])       # not implemented
put(40314 + 2 + 62, [0xFFFF])
put(0xE100, [0] * 0x90)
put(0xE174, words(bat_w, low_first=True))
put(0xE184, words(soe, low_first=True))

context = ModbusServerContext(slaves=ModbusSlaveContext(hr=ModbusSparseDataBlock(regs), zero_mode=True), single=True)
serve(context)
