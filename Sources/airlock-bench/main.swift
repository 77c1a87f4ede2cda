import Airlock
print("airlock-bench: see Sources/airlock-bench")
