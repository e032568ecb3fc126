# The asyncio example of the Python guide this book follows, unchanged.
import asyncio

async def print_numbers():
    for i in range(5):
        print(i)
        await asyncio.sleep(1)  # Simulate a non-blocking I/O operation

asyncio.run(print_numbers())
