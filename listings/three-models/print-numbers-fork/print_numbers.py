# The multiprocessing example of the Python guide this book follows, unchanged.
from multiprocessing import Process

def print_numbers():
    for i in range(5):
        print(i)

process = Process(target=print_numbers)
process.start()
process.join()  # Wait for the process to finish
