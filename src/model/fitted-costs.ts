/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 7094,
  wakeup_ns: 5260,
  blk_request_ns: 1196,
  blk_complete_ns: 608,
  irqfd_notify_ns: 746,
  main_loop_iteration_ns: 2417,
  main_loop_request_ns: 214,
  native_submit_batch_ns: 1559,
  io_uring_enter_ns: 1501,
  threads_submit_req_ns: 1550
};
