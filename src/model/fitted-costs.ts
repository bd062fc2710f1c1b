/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 4271,
  wakeup_ns: 3864,
  blk_request_ns: 1248,
  blk_complete_ns: 618,
  irqfd_notify_ns: 1054,
  main_loop_iteration_ns: 4124,
  main_loop_request_ns: 319,
  native_submit_batch_ns: 1663,
  io_uring_enter_ns: 1736,
  threads_submit_req_ns: 2386
};
